//! Fuzzes the front's request-head reader with any bytes, read as a client would send them on one connection.
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use plenary::front::read_head;

fuzz_target!(|data: &[u8]| {
    // A small buffer, so that heads are met across reads as they are on a socket.
    let mut reader = BufReader::with_capacity(61, data);
    let mut read = 0;
    // Heads one after another, as on a kept-alive connection, until the client stops or is refused.
    while let Ok(Some(head)) = read_head(&mut reader) {
        // What is passed on is the client's head with at most a `Connection: close` added.
        read += head.forwarded.len();
        assert!(
            read <= data.len() * 3 + 64,
            "{read} bytes forwarded from {}",
            data.len()
        );
    }
});
