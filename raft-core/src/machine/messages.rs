//! The replicated message log: text messages listed in commit order. Text is data, never markup.

use super::op::Op;
use super::StateMachine;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLog {
    pub messages: Vec<String>,
    pub chars_max: usize,
}

impl MessageLog {
    pub fn new(chars_max: usize) -> Self {
        MessageLog { messages: Vec::new(), chars_max }
    }
}

impl StateMachine for MessageLog {
    fn accepts(&self, op: &Op) -> bool {
        matches!(op, Op::Message { .. })
    }

    fn validate(&self, op: &Op) -> Result<(), String> {
        match op {
            Op::Message { text } if text.trim().is_empty() => Err("a message cannot be empty".into()),
            Op::Message { text } if text.chars().count() > self.chars_max => Err(format!(
                "a message has at most {} characters; this one has {}",
                self.chars_max,
                text.chars().count()
            )),
            Op::Message { .. } => Ok(()),
            _ => Err("not a message-log operation".into()),
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), String> {
        self.validate(op)?;
        if let Op::Message { text } = op {
            self.messages.push(text.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_long_text_is_refused_with_its_length() {
        let mut m = MessageLog::new(5);
        let err = m.apply(&Op::Message { text: "toolong".into() }).unwrap_err();
        assert!(err.contains("at most 5") && err.contains("has 7"));
        m.apply(&Op::Message { text: "<b>hi".into() }).unwrap();
        assert_eq!(m.messages, vec!["<b>hi".to_string()]);
    }
}
