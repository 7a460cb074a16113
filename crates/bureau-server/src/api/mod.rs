//! The `/api/v1` endpoints, one module per capability.

pub mod accounts;
pub mod chat;
pub mod views;
