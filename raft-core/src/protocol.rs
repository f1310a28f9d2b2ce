//! The protocol switches beyond the paper's Figure 2 (Ongaro's dissertation). Each is listed once, in the
//! `protocol_options!` call below; the config keys, the live settings, the UI's "Protocol" controls, chaos's
//! draws and the labels all derive from that list. With every switch off a node is pure Figure 2.

use serde::{Deserialize, Serialize};

/// One protocol switch as the UI and the CLI describe it.
#[derive(Clone, Copy, Debug)]
pub struct ProtocolOption {
    /// The config key (`"prevote": true` in a scenario) and the field name.
    pub key: &'static str,
    pub title: &'static str,
    /// Where the rule is written down.
    pub section: &'static str,
    /// What it fixes, in one sentence.
    pub why: &'static str,
    pub get: fn(&Protocol) -> bool,
    pub set: fn(&mut Protocol, bool),
}

macro_rules! protocol_options {
    ($( $field:ident : $title:literal, $section:literal, $why:literal; )*) => {
        /// The switches in effect (all off: the paper's Figure 2).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Protocol {
            $( pub $field: bool, )*
        }

        /// A live change of some switches (absent ones keep their value).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ProtocolSettings {
            $( #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<bool>, )*
        }

        impl ProtocolSettings {
            pub fn apply_to(&self, p: &mut Protocol) {
                $( if let Some(v) = self.$field { p.$field = v; } )*
            }
        }

        /// Every switch set to what `p` says.
        impl From<Protocol> for ProtocolSettings {
            fn from(p: Protocol) -> Self {
                ProtocolSettings { $( $field: Some(p.$field), )* }
            }
        }

        /// Every switch, in the order the UI lists them.
        pub const OPTIONS: &[ProtocolOption] = &[
            $( ProtocolOption {
                key: stringify!($field),
                title: $title,
                section: $section,
                why: $why,
                get: |p| p.$field,
                set: |p, v| p.$field = v,
            }, )*
        ];
    };
}

protocol_options! {
    prevote: "PreVote", "dissertation §9.6",
        "A node that was cut off asks first whether it could win, so rejoining does not force an election \
         with a higher term.";
    check_quorum: "CheckQuorum", "dissertation §6.2 and §4.2.3",
        "A leader that has not heard from a majority for an election timeout steps down; in return, a server \
         that heard from a leader within the minimum election timeout ignores vote requests.";
}

impl Protocol {
    pub fn option(key: &str) -> Option<&'static ProtocolOption> {
        OPTIONS.iter().find(|o| o.key == key)
    }

    /// The keys of the switches that are on.
    pub fn on(&self) -> Vec<&'static str> {
        OPTIONS.iter().filter(|o| (o.get)(self)).map(|o| o.key).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_a_config_key_that_round_trips() {
        for o in OPTIONS {
            let mut p = Protocol::default();
            assert!(!(o.get)(&p), "{} is off by default: the default is Figure 2", o.key);
            (o.set)(&mut p, true);
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json[o.key], true, "{} is the serde key", o.key);
            let back: Protocol = serde_json::from_value(json).unwrap();
            assert_eq!(back, p);
            assert_eq!(p.on(), vec![o.key]);
            let s: ProtocolSettings = serde_json::from_str(&format!("{{\"{}\": true}}", o.key)).unwrap();
            let mut q = Protocol::default();
            s.apply_to(&mut q);
            assert_eq!(q, p);
        }
        let bad = serde_json::from_str::<crate::sim::SimConfig>(r#"{"pre_vote": true}"#);
        assert!(bad.unwrap_err().to_string().contains("pre_vote"), "a config refuses unknown keys");
    }
}
