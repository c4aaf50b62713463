//! `runbook config dump|view`: the Ansible configuration runbook reads.

use crate::cli::settings::ConfigRequest;
use crate::cli::{Failure, Outcome};
use crate::config::{AnsibleConfig, Effect};
use crate::report::{ConfigSetting, Listing, Reporter};
use crate::source::Diagnostic;

pub(super) fn config(
    request: ConfigRequest,
    config: &AnsibleConfig,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    match request {
        ConfigRequest::Dump { only_changed } => {
            let settings = config
                .dump(only_changed)
                .into_iter()
                .map(|line| ConfigSetting {
                    name: line.name.to_string(),
                    origin: line.origin,
                    value: line.value,
                    no_effect: match line.effect {
                        Effect::NoEffect(why) => Some(why.to_string()),
                        Effect::Applied | Effect::OnlyDefault(_) => None,
                    },
                })
                .collect();
            reporter.listing(&Listing::Config { settings });
        }
        ConfigRequest::View => {
            let Some(file) = &config.file else {
                return Err(Diagnostic::options(
                    "no ansible.cfg is in use (looked at $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg)",
                )
                .into());
            };
            reporter.listing(&Listing::ConfigFile {
                path: file.path.display().to_string(),
                text: file.text.clone(),
            });
        }
    }
    Ok(Outcome::Success)
}
