//! The `apt` module's arguments, read once and checked: every alias
//! (`update-cache`, `default-release`...), Ansible's defaults, and the
//! combinations it refuses.

use crate::connection::shell_quote;
use crate::modules::{Args, ModuleError};

const DEFAULT_DPKG_OPTIONS: &str = "force-confdef,force-confold";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Present,
    Latest,
    Absent,
    Fixed,
    BuildDep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Upgrade {
    No,
    Safe,
    Full,
    Dist,
}

/// The arguments, read and checked.
pub(super) struct Request {
    pub(super) names: Vec<String>,
    pub(super) state: State,
    pub(super) update_cache: bool,
    pub(super) update_cache_retries: u32,
    pub(super) update_cache_retry_max_delay: u64,
    pub(super) cache_valid_time: u64,
    pub(super) purge: bool,
    pub(super) deb: Option<String>,
    pub(super) default_release: Option<String>,
    pub(super) install_recommends: Option<bool>,
    pub(super) force: bool,
    pub(super) upgrade: Upgrade,
    pub(super) dpkg_options: String,
    pub(super) autoremove: bool,
    pub(super) autoclean: bool,
    pub(super) fail_on_autoremove: bool,
    pub(super) policy_rc_d: Option<i64>,
    pub(super) only_upgrade: bool,
    pub(super) clean: bool,
    pub(super) allow_unauthenticated: bool,
    pub(super) allow_downgrade: bool,
    pub(super) allow_change_held_packages: bool,
    pub(super) lock_timeout: u64,
}

fn first_str(args: &Args, names: &[&str]) -> Result<Option<String>, ModuleError> {
    for name in names {
        if let Some(value) = args.str(name)? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn first_bool(args: &Args, names: &[&str]) -> Result<Option<bool>, ModuleError> {
    for name in names {
        if args.has(name) {
            return Ok(Some(args.bool(name, false)?));
        }
    }
    Ok(None)
}

fn number(args: &Args, name: &str, default: u64) -> Result<u64, ModuleError> {
    match args.f64(name)? {
        None => Ok(default),
        Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as u64),
        Some(n) => Err(ModuleError::failed(format!(
            "argument `{name}`: expected a whole number of at least 0, got {n}"
        ))),
    }
}

impl Request {
    pub(super) fn read(args: &Args) -> Result<Self, ModuleError> {
        let mut names = Vec::new();
        for alias in ["name", "package", "pkg"] {
            if let Some(list) = args.str_list(alias)? {
                names.extend(list);
            }
        }
        let given = |name: &str| args.values().contains_key(name);
        let exclusive = [
            given("deb"),
            ["name", "package", "pkg"].iter().any(|n| given(n)),
            given("upgrade"),
        ];
        if exclusive.iter().filter(|given| **given).count() > 1 {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: deb|package|upgrade",
            ));
        }
        let any_of = ["autoremove", "deb", "name", "package", "pkg", "update_cache", "update-cache", "upgrade"];
        if !any_of.iter().any(|name| given(name)) {
            return Err(ModuleError::failed(
                "one of the following is required: autoremove, deb, package, update_cache, upgrade",
            ));
        }
        let state = match args.str("state")?.as_deref().unwrap_or("present") {
            "present" => State::Present,
            "latest" => State::Latest,
            "absent" => State::Absent,
            "fixed" => State::Fixed,
            "build-dep" => State::BuildDep,
            other => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, build-dep, fixed, latest, present, got: {other}"
                )));
            }
        };
        let upgrade = match args.str("upgrade")?.as_deref() {
            None | Some("no") => Upgrade::No,
            Some("yes" | "safe") => Upgrade::Safe,
            Some("full") => Upgrade::Full,
            Some("dist") => Upgrade::Dist,
            Some(other) => match crate::value::parse_bool(other) {
                Some(true) => Upgrade::Safe,
                Some(false) => Upgrade::No,
                None => {
                    return Err(ModuleError::failed(format!(
                        "value of upgrade must be one of: dist, full, no, safe, yes, got: {other}"
                    )));
                }
            },
        };
        let policy_rc_d = match args.f64("policy_rc_d")? {
            None => None,
            Some(n) if n.fract() == 0.0 && (0.0..=255.0).contains(&n) => Some(n as i64),
            Some(n) => {
                return Err(ModuleError::failed(format!(
                    "argument `policy_rc_d`: expected an exit code 0-255, got {n}"
                )));
            }
        };
        Ok(Self {
            names,
            state,
            update_cache: first_bool(args, &["update_cache", "update-cache"])?.unwrap_or(false),
            update_cache_retries: number(args, "update_cache_retries", 5)?.max(1) as u32,
            update_cache_retry_max_delay: number(args, "update_cache_retry_max_delay", 12)?,
            cache_valid_time: number(args, "cache_valid_time", 0)?,
            purge: args.bool("purge", false)?,
            deb: args.str("deb")?,
            default_release: first_str(args, &["default_release", "default-release"])?,
            install_recommends: first_bool(args, &["install_recommends", "install-recommends"])?,
            force: args.bool("force", false)?,
            upgrade,
            dpkg_options: args
                .str("dpkg_options")?
                .unwrap_or_else(|| DEFAULT_DPKG_OPTIONS.to_string()),
            autoremove: args.bool("autoremove", false)?,
            autoclean: args.bool("autoclean", false)?,
            fail_on_autoremove: args.bool("fail_on_autoremove", false)?,
            policy_rc_d,
            only_upgrade: args.bool("only_upgrade", false)?,
            clean: args.bool("clean", false)?,
            allow_unauthenticated: first_bool(args, &["allow_unauthenticated", "allow-unauthenticated"])?
                .unwrap_or(false),
            allow_downgrade: first_bool(
                args,
                &["allow_downgrade", "allow-downgrade", "allow_downgrades", "allow-downgrades"],
            )?
            .unwrap_or(false),
            allow_change_held_packages: args.bool("allow_change_held_packages", false)?,
            lock_timeout: number(args, "lock_timeout", 60)?,
        })
    }

    /// `-o "Dpkg::Options::=--force-confdef" ...`
    pub(super) fn dpkg_option_words(&self) -> String {
        self.dpkg_options
            .split(',')
            .filter(|o| !o.trim().is_empty())
            .map(|o| format!("-o {}", shell_quote(&format!("Dpkg::Options::=--{}", o.trim()))))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
