//! The play keywords Ansible templates when the play starts (its
//! `always_post_validate` attributes): `serial: "{{ groups.zone1 | length }}"`,
//! `gather_facts: "{{ refresh_facts }}"`. A plain value is parsed when the
//! playbook is loaded; a template is kept and parsed the same way once it
//! is rendered with the play's variables, so both give the same errors.

use super::conditions::{boolean, scalar};
use super::model::{BatchSize, HostOrder, Strategy};
use crate::source::{Diagnostic, Span};
use crate::value::Value;
use crate::yaml::{Node, NodeKind};

/// What these keywords say once every template in them is rendered.
#[derive(Debug, Clone)]
pub struct PlayKeywords {
    pub gather_facts: bool,
    pub strategy: Strategy,
    /// `serial:` batch sizes; empty means one batch of every host.
    pub serial: Vec<BatchSize>,
    /// `max_fail_percentage:` per batch; above it the play stops.
    pub max_fail_percentage: Option<f64>,
    /// `any_errors_fatal:` one failure ends the play for every host.
    pub any_errors_fatal: bool,
    /// `force_handlers:` notified handlers run even on hosts that failed.
    pub force_handlers: bool,
    pub order: HostOrder,
}

impl Default for PlayKeywords {
    fn default() -> Self {
        Self {
            gather_facts: true,
            strategy: Strategy::Linear,
            serial: Vec::new(),
            max_fail_percentage: None,
            any_errors_fatal: false,
            force_handlers: false,
            order: HostOrder::Inventory,
        }
    }
}

/// A keyword whose value holds a template, unrendered.
#[derive(Debug, Clone)]
pub struct KeywordTemplate {
    pub keyword: &'static str,
    pub template: Value,
    pub span: Span,
}

impl PlayKeywords {
    pub const NAMES: &[&str] = &[
        "gather_facts",
        "strategy",
        "serial",
        "max_fail_percentage",
        "any_errors_fatal",
        "force_handlers",
        "order",
    ];

    /// Read `keyword` from its YAML value: parsed now, or kept as a
    /// template when it holds one.
    pub(super) fn load(
        &mut self,
        keyword: &str,
        node: &Node,
        templates: &mut Vec<KeywordTemplate>,
    ) -> Result<(), Diagnostic> {
        let Some(keyword) = Self::NAMES.iter().copied().find(|name| *name == keyword) else {
            return Err(node.error(format!("`{keyword}` is not a templated play keyword")));
        };
        templates.retain(|template| template.keyword != keyword);
        if holds_template(node) {
            templates.push(KeywordTemplate {
                keyword,
                template: node.to_value(),
                span: node.span.clone(),
            });
            return Ok(());
        }
        self.set(keyword, node)
    }

    /// Set `keyword` from a rendered value; errors point at the keyword.
    pub fn set_rendered(
        &mut self,
        template: &KeywordTemplate,
        rendered: &Value,
    ) -> Result<(), Diagnostic> {
        self.set(
            template.keyword,
            &Node::from_value(rendered, &template.span),
        )?;
        if template.keyword == "any_errors_fatal" {
            // Ansible renders it when the play starts, but its tasks inherit
            // the play's unrendered text, which Python finds true whatever
            // it renders to: a templated `any_errors_fatal` is always fatal.
            self.any_errors_fatal = true;
        }
        Ok(())
    }

    fn set(&mut self, keyword: &str, node: &Node) -> Result<(), Diagnostic> {
        match keyword {
            "gather_facts" => self.gather_facts = boolean(node, keyword)?,
            "strategy" => self.strategy = strategy(node)?,
            "serial" => self.serial = serial(node)?,
            "max_fail_percentage" => self.max_fail_percentage = Some(percentage(node)?),
            "any_errors_fatal" => self.any_errors_fatal = boolean(node, keyword)?,
            "force_handlers" => self.force_handlers = boolean(node, keyword)?,
            "order" => self.order = order(node)?,
            _ => return Err(node.error(format!("`{keyword}` is not a templated play keyword"))),
        }
        Ok(())
    }
}

/// Whether a scalar, or an item of a list, holds a template.
fn holds_template(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Str(text) => crate::template::has_template_markers(text),
        NodeKind::Seq(items) => items.iter().any(holds_template),
        _ => false,
    }
}

/// `serial: 2`, `serial: "30%"`, or a list of them.
fn serial(node: &Node) -> Result<Vec<BatchSize>, Diagnostic> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items.into_iter().map(batch_size).collect()
}

fn batch_size(node: &Node) -> Result<BatchSize, Diagnostic> {
    let text = scalar(node, "serial")?;
    BatchSize::parse(&text).ok_or_else(|| {
        node.error(format!(
            "`serial` takes a number of hosts or a percentage, found `{text}`"
        ))
    })
}

fn percentage(node: &Node) -> Result<f64, Diagnostic> {
    let text = scalar(node, "max_fail_percentage")?;
    text.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| {
            node.error(format!(
                "`max_fail_percentage` takes a number from 0 to 100, found `{text}`"
            ))
        })
}

fn order(node: &Node) -> Result<HostOrder, Diagnostic> {
    const NAMES: [&str; 5] = [
        "inventory",
        "reverse_inventory",
        "sorted",
        "reverse_sorted",
        "shuffle",
    ];
    match scalar(node, "order")?.as_str() {
        "inventory" => Ok(HostOrder::Inventory),
        "reverse_inventory" => Ok(HostOrder::ReverseInventory),
        "sorted" => Ok(HostOrder::Sorted),
        "reverse_sorted" => Ok(HostOrder::ReverseSorted),
        "shuffle" => Ok(HostOrder::Shuffle),
        other => Err(node
            .error(format!("unknown order `{other}`"))
            .suggesting(other, NAMES)),
    }
}

fn strategy(node: &Node) -> Result<Strategy, Diagnostic> {
    let name = scalar(node, "strategy")?;
    Strategy::named(&name).ok_or_else(|| {
        node.error(format!(
            "unknown strategy `{name}` (runbook has `linear` and `free`)"
        ))
        .suggesting(&name, ["linear", "free"])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn rendered(keyword: &'static str, value: Value) -> Result<PlayKeywords, String> {
        let file = SourceFile::new("play.yml", format!("{keyword}: x\n"));
        let template = KeywordTemplate {
            keyword,
            template: Value::from("{{ x }}"),
            span: Span::file_start(file),
        };
        let mut keywords = PlayKeywords::default();
        keywords
            .set_rendered(&template, &value)
            .map(|()| keywords)
            .map_err(|e| e.message)
    }

    #[test]
    fn a_rendered_serial_is_a_size_or_a_list_of_them() {
        let serial = |value| rendered("serial", value).map(|k| k.serial);
        assert_eq!(serial(Value::from(2)), Ok(vec![BatchSize::Count(2)]));
        let list: Value = vec![Value::from("1"), Value::from("50%")]
            .into_iter()
            .collect();
        assert_eq!(
            serial(list),
            Ok(vec![BatchSize::Count(1), BatchSize::Percent(50.0)])
        );
        assert_eq!(
            serial(Value::from("lots")),
            Err("`serial` takes a number of hosts or a percentage, found `lots`".to_string())
        );
        assert!(serial(Value::from(0)).is_err());
    }

    #[test]
    fn rendered_keywords_parse_as_written_ones() {
        let keywords = |keyword, value| rendered(keyword, value);
        assert!(
            !keywords("gather_facts", Value::from("no"))
                .unwrap()
                .gather_facts
        );
        assert!(
            keywords("force_handlers", Value::from(true))
                .unwrap()
                .force_handlers
        );
        assert_eq!(
            keywords("max_fail_percentage", Value::from(25))
                .unwrap()
                .max_fail_percentage,
            Some(25.0)
        );
        assert_eq!(
            keywords("order", Value::from("sorted")).unwrap().order,
            HostOrder::Sorted
        );
        assert_eq!(
            keywords("strategy", Value::from("free")).unwrap().strategy,
            Strategy::Free
        );
        assert_eq!(
            keywords("gather_facts", Value::from("maybe"))
                .err()
                .as_deref(),
            Some("`gather_facts` must be a boolean (yes/no, true/false), found `maybe`")
        );
        // A templated any_errors_fatal is fatal whatever it renders to, as in Ansible.
        assert!(
            keywords("any_errors_fatal", Value::from(false))
                .unwrap()
                .any_errors_fatal
        );
        assert!(keywords("any_errors_fatal", Value::from("nope")).is_err());
    }
}
