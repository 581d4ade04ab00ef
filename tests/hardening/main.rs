//! Hostile input and faults, through the real binary, real sockets and real files: each test
//! closes one class of failure (a request that takes the server down, a command that destroys
//! the user's files, a member's file that runs script on the site).

#[path = "../common/mod.rs"]
mod common;

mod content;
mod output;
mod server;
