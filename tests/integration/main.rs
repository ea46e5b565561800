//! Integration tests: the real `kzdns` binary on free loopback ports, real zone files from
//! `tests/data/`, and real DNS clients (hickory's client, raw hickory-proto messages, and `dig`).

mod authoritative;
mod cli;
mod dig;
mod malformed;
mod policy;
mod startup;
mod support;
mod transfer;
mod truncation;
