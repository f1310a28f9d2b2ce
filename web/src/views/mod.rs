//! One file per view.

pub mod actions;
pub mod bottom;
pub mod cluster;
pub mod cuts;
pub mod feed;
pub mod formation;
pub mod help;
pub mod inspector;
pub mod learn;
pub mod log_cells;
pub mod logs;
pub mod panels;
pub mod pictures;
pub mod protocol;
pub mod ranges;
pub mod ring_canvas;
pub mod ring_motion;
pub mod side;
pub mod spacetime;
pub mod timeline;
pub mod toolbar;
pub mod tuning;
