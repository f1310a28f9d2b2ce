//! Refusing unknown keys where serde's `deny_unknown_fields` cannot: a struct with a flattened part (the
//! protocol switches) loses it. The struct ends with a `#[serde(flatten, skip_serializing)]` field of type
//! `NoUnknownKeys<Self>`, which sees the keys no other field took and refuses them, naming the known ones. The
//! known keys come from serializing a full instance, so they are never listed by hand.

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A struct whose serialized form names every key it accepts.
pub trait KnownKeys {
    /// An instance with every optional field present.
    fn full() -> serde_json::Value;
    /// Keys a flattened part may take without this struct seeing them as its own (RaftConfig's, say).
    fn also_allowed() -> Vec<String> {
        Vec::new()
    }
}

pub struct NoUnknownKeys<T>(PhantomData<T>);

impl<T> Default for NoUnknownKeys<T> {
    fn default() -> Self {
        NoUnknownKeys(PhantomData)
    }
}
impl<T> Clone for NoUnknownKeys<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for NoUnknownKeys<T> {}
impl<T> PartialEq for NoUnknownKeys<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> std::fmt::Debug for NoUnknownKeys<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NoUnknownKeys")
    }
}

impl<'de, T: KnownKeys> Deserialize<'de> for NoUnknownKeys<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let left = BTreeMap::<String, IgnoredAny>::deserialize(d)?;
        let allowed = T::also_allowed();
        if let Some(k) = left.keys().find(|k| !allowed.contains(k)) {
            let known: Vec<String> = match T::full() {
                serde_json::Value::Object(m) => m.keys().map(|k| format!("`{k}`")).collect(),
                _ => Vec::new(),
            };
            return Err(D::Error::custom(format!("unknown field `{k}`, expected one of {}", known.join(", "))));
        }
        Ok(NoUnknownKeys(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{Settings, SimConfig};

    #[test]
    fn an_unknown_key_is_refused_and_the_known_ones_are_named() {
        let e = serde_json::from_str::<Settings>(r#"{"election_min_ms": 300}"#).unwrap_err().to_string();
        assert!(
            e.contains("`election_min_ms`") && e.contains("`election_timeout_min_ms`") && e.contains("`prevote`"),
            "{e}"
        );
        let s: Settings = serde_json::from_str(r#"{"check_quorum": true, "loss_pct": 5}"#).unwrap();
        assert_eq!((s.protocol.check_quorum, s.loss_pct), (Some(true), Some(5.0)));
        let e = serde_json::from_str::<SimConfig>(r#"{"nodes": 3, "prevot": true}"#).unwrap_err().to_string();
        assert!(e.contains("`prevot`") && e.contains("`prevote`") && e.contains("`heartbeat_ms`"), "{e}");
        let c: SimConfig = serde_json::from_str(r#"{"nodes": 3, "prevote": true, "heartbeat_ms": 40}"#).unwrap();
        assert!(c.raft.protocol.prevote && c.raft.heartbeat_ms == 40 && c.nodes == 3);
    }
}
