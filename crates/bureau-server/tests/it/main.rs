//! The HTTP API and event WebSocket, tested through a real server on a
//! random port, as clients use them.

mod accounts;
mod admin;
mod bad_input;
mod chat;
mod docs;
mod docs_history;
mod docs_tables;
mod events;
mod files;
mod http;
mod mail;
mod meetings;
mod office;
mod office_meter;
mod support;
