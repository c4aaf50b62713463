use minijinja::Value;

use crate::source::{Diagnostic, Span};

/// One YAML node and where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys keep their own spans; order is the file's order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The key text of a mapping entry (non-string keys are shown as YAML would).
    pub fn key_text(&self) -> String {
        match &self.kind {
            NodeKind::Str(s) => s.clone(),
            _ => self.scalar_text().unwrap_or_default(),
        }
    }

    /// A scalar written back as text (`true`, `42`, `1.5`, the string itself).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Null => Some(String::new()),
            NodeKind::Bool(b) => Some(b.to_string()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(f.to_string()),
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Seq(_) | NodeKind::Map(_) => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Int(_) => "integer",
            NodeKind::Float(_) => "float",
            NodeKind::Str(_) => "string",
            NodeKind::Seq(_) => "list",
            NodeKind::Map(_) => "mapping",
        }
    }

    /// A rendered value as a node written at `span`, every part of it there,
    /// so what parses YAML can read what a template produced.
    pub fn from_value(value: &Value, span: &Span) -> Node {
        use minijinja::value::ValueKind;
        let at = |kind| Node {
            kind,
            span: span.clone(),
        };
        let kind = match value.kind() {
            ValueKind::Undefined | ValueKind::None => NodeKind::Null,
            ValueKind::Bool => NodeKind::Bool(value.is_true()),
            ValueKind::Number => match i64::try_from(value.clone()) {
                Ok(int) => NodeKind::Int(int),
                Err(_) => NodeKind::Float(f64::try_from(value.clone()).unwrap_or(f64::NAN)),
            },
            ValueKind::Seq | ValueKind::Iterable => NodeKind::Seq(
                value
                    .try_iter()
                    .into_iter()
                    .flatten()
                    .map(|item| Node::from_value(&item, span))
                    .collect(),
            ),
            ValueKind::Map => NodeKind::Map(
                value
                    .try_iter()
                    .into_iter()
                    .flatten()
                    .map(|key| {
                        let item = value.get_item(&key).unwrap_or_default();
                        (Node::from_value(&key, span), Node::from_value(&item, span))
                    })
                    .collect(),
            ),
            _ => NodeKind::Str(crate::value::text(value)),
        };
        at(kind)
    }

    /// The node as a template value (positions dropped).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Null => Value::from(()),
            NodeKind::Bool(b) => Value::from(*b),
            NodeKind::Int(i) => Value::from(*i),
            NodeKind::Float(f) => Value::from(*f),
            NodeKind::Str(s) => Value::from(s.as_str()),
            NodeKind::Seq(items) => items.iter().map(Node::to_value).collect(),
            NodeKind::Map(entries) => crate::value::map_from_pairs(
                entries.iter().map(|(k, v)| (k.key_text(), v.to_value())),
            ),
        }
    }

    /// An error pointing at this node.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(message, &self.span)
    }

    /// The entries of a mapping, or an error saying a mapping was expected.
    pub fn expect_map(&self, what: &str) -> Result<&[(Node, Node)], Diagnostic> {
        self.as_map().ok_or_else(|| {
            self.error(format!(
                "{what} must be a mapping, found a {}",
                self.type_name()
            ))
        })
    }

    /// The items of a sequence, or an error saying a list was expected.
    pub fn expect_seq(&self, what: &str) -> Result<&[Node], Diagnostic> {
        self.as_seq().ok_or_else(|| {
            self.error(format!(
                "{what} must be a list, found a {}",
                self.type_name()
            ))
        })
    }
}
