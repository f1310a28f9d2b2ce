//! The escort: a formation the leader marches from [0,0] to the target one step at a time.

use super::op::{Op, Pos};
use super::{coord_ok, MachineConfig, StateMachine, COORD_ABS_MAX};
use serde::{Deserialize, Serialize};

/// Committed positions kept for the formation's trail.
pub const TRAIL_LEN_MAX: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Escort {
    pub pos: Pos,
    pub target: Pos,
    pub step_size: i64,
    /// Steps applied (idempotent steps that did not match are not counted).
    pub steps: u64,
    pub trail: Vec<Pos>,
}

impl Escort {
    pub fn new(cfg: &MachineConfig) -> Self {
        Escort {
            pos: Pos::default(),
            target: cfg.target,
            step_size: cfg.step_size,
            steps: 0,
            trail: vec![Pos::default()],
        }
    }

    pub fn at_target(&self) -> bool {
        self.pos == self.target
    }

    /// The next step from the current position toward the target (at most `step_size` on each axis).
    pub fn next_step(&self) -> Option<Op> {
        if self.at_target() {
            return None;
        }
        let toward = |from: i64, to: i64| from + (to - from).clamp(-self.step_size, self.step_size);
        let to = Pos { x: toward(self.pos.x, self.target.x), y: toward(self.pos.y, self.target.y) };
        Some(Op::Step { from: self.pos, to })
    }

    fn moved_to(&mut self, to: Pos) {
        self.pos = to;
        self.trail.push(to);
        if self.trail.len() > TRAIL_LEN_MAX {
            self.trail.remove(0);
        }
    }
}

impl StateMachine for Escort {
    fn accepts(&self, op: &Op) -> bool {
        matches!(op, Op::Step { .. } | Op::Move { .. })
    }

    fn validate(&self, op: &Op) -> Result<(), String> {
        match op {
            Op::Move { dx, dy } if !coord_ok(*dx) || !coord_ok(*dy) => {
                Err(format!("a move is at most ±{COORD_ABS_MAX} per axis, not ({dx}, {dy})"))
            }
            Op::Step { from, to } if ![from.x, from.y, to.x, to.y].into_iter().all(coord_ok) => Err(format!(
                "a step goes between points within ±{COORD_ABS_MAX} per axis, not [{}, {}] → [{}, {}]",
                from.x, from.y, to.x, to.y
            )),
            Op::Step { from, to }
                if to.x.abs_diff(from.x) > self.step_size as u64 || to.y.abs_diff(from.y) > self.step_size as u64 =>
            {
                Err(format!("a step moves at most {} per axis", self.step_size))
            }
            Op::Move { .. } | Op::Step { .. } => Ok(()),
            _ => Err("not an escort operation".into()),
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), String> {
        match op {
            // Idempotent: a step applies only from the position it was planned from, so a step proposed twice
            // (by an old and a new leader, or duplicated) moves the formation once.
            Op::Step { from, to } => {
                if *from == self.pos {
                    self.steps += 1;
                    self.moved_to(*to);
                }
                Ok(())
            }
            Op::Move { dx, dy } => {
                // Saturating: a move that was not validated (a follower applies what the leader logged) still
                // cannot overflow.
                let clamp = |v: i64| v.clamp(-COORD_ABS_MAX, COORD_ABS_MAX);
                let to = Pos { x: clamp(self.pos.x.saturating_add(*dx)), y: clamp(self.pos.y.saturating_add(*dy)) };
                self.moved_to(to);
                Ok(())
            }
            _ => Err("not an escort operation".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_applied_twice_moves_once() {
        let mut e = Escort::new(&MachineConfig::default());
        let step = e.next_step().unwrap();
        e.apply(&step).unwrap();
        e.apply(&step).unwrap();
        assert_eq!(e.pos, Pos { x: 1, y: 0 });
        assert_eq!(e.steps, 1);
    }

    #[test]
    fn extreme_moves_and_steps_are_refused_not_overflowing() {
        let mut e = Escort::new(&MachineConfig::default());
        let huge = Op::Move { dx: i64::MIN, dy: i64::MAX };
        assert!(e.validate(&huge).unwrap_err().contains("at most ±1000000"));
        e.apply(&huge).unwrap();
        assert_eq!(e.pos, Pos { x: -COORD_ABS_MAX, y: COORD_ABS_MAX }, "applied anyway, it saturates");
        let far = Op::Step { from: Pos { x: 0, y: 0 }, to: Pos { x: i64::MIN, y: 0 } };
        assert!(e.validate(&far).unwrap_err().contains("within ±1000000"));
        let long = Op::Step { from: Pos { x: 0, y: 0 }, to: Pos { x: 5, y: 0 } };
        assert!(e.validate(&long).unwrap_err().contains("at most 1 per axis"));
    }

    #[test]
    fn march_resumes_toward_target_after_a_move() {
        let mut e = Escort::new(&MachineConfig::default());
        e.apply(&Op::Move { dx: -3, dy: 2 }).unwrap();
        let Some(Op::Step { to, .. }) = e.next_step() else { panic!("no step") };
        assert_eq!(to, Pos { x: -2, y: 1 });
    }
}
