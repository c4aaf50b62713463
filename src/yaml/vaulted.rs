//! Values encrypted with Ansible Vault (`!vault |` or a whole vaulted
//! string) cannot be decrypted while reading YAML yet: using the
//! ciphertext as the value would be the worst outcome, so each is an
//! error at its position. (`src/vault/` has the format; wiring it to the
//! loaders is what is left.)

use super::{Node, NodeKind};
use crate::source::Diagnostic;

/// What every Ansible Vault envelope starts with.
const ENVELOPE: &str = "$ANSIBLE_VAULT;";

/// Refuse every vaulted value in `node`, with its position.
pub(super) fn refuse_vaulted(node: &Node) -> Result<(), Diagnostic> {
    match &node.kind {
        NodeKind::Str(text) if text.trim_start().starts_with(ENVELOPE) => {
            // Underline the envelope's header, not the whole ciphertext.
            let header = text.trim_start().lines().next().unwrap_or_default();
            let mut span = node.span.clone();
            span.len = span.len.min(header.len());
            Err(Diagnostic::at(
                "this value is encrypted with Ansible Vault, which runbook cannot decrypt yet",
                &span,
            )
            .with_help(
                "decrypt it with `ansible-vault decrypt`, or pass the value with -e, until vault support lands",
            ))
        }
        NodeKind::Seq(items) => items.iter().try_for_each(refuse_vaulted),
        NodeKind::Map(pairs) => pairs
            .iter()
            .try_for_each(|(_, value)| refuse_vaulted(value)),
        _ => Ok(()),
    }
}
