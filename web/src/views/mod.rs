//! One file per view.

pub mod actions;
pub mod canvas_messages;
pub mod cluster;
pub mod feed;
pub mod formation;
pub mod help;
pub mod inspector;
pub mod logs;
pub mod panels;
pub mod protocol;
pub mod side;
pub mod toolbar;
pub mod tuning;
