//! Integration tests: the real `kzdns` binary on free loopback ports, real zone files from
//! `tests/data/`, and real DNS clients (hickory's client, raw hickory-proto messages, and `dig`);
//! the notice page over HTTP, HTTPS and in headless Chromium.

mod authoritative;
mod check;
mod cli;
mod deploy;
mod dig;
mod malformed;
mod metrics;
mod notice;
mod policy;
mod startup;
mod support;
mod suspensions;
mod transfer;
mod truncation;
