//! The replicated array: a list of integers, "set index i to v".

use super::op::Op;
use super::StateMachine;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayMachine {
    pub values: Vec<i64>,
}

impl ArrayMachine {
    pub fn new(len: u32) -> Self {
        ArrayMachine { values: vec![0; len as usize] }
    }
}

impl StateMachine for ArrayMachine {
    fn accepts(&self, op: &Op) -> bool {
        matches!(op, Op::Set { .. })
    }

    fn validate(&self, op: &Op) -> Result<(), String> {
        match op {
            Op::Set { index, .. } if (*index as usize) < self.values.len() => Ok(()),
            Op::Set { index, .. } => Err(format!(
                "index {index} is out of range: the array has {} elements (0 to {})",
                self.values.len(),
                self.values.len() - 1
            )),
            _ => Err("not an array operation".into()),
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), String> {
        self.validate(op)?;
        if let Op::Set { index, value } = op {
            self.values[*index as usize] = *value;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_index_is_refused_not_panicking() {
        let mut a = ArrayMachine::new(5);
        assert!(a.apply(&Op::Set { index: 5, value: 1 }).unwrap_err().contains("out of range"));
        a.apply(&Op::Set { index: 4, value: 9 }).unwrap();
        assert_eq!(a.values, vec![0, 0, 0, 0, 9]);
    }
}
