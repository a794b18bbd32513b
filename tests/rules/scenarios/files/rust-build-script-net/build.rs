// A build script that also downloads something at build time (here: from the test namespace's
// documentation address), as a compromised dependency's build.rs would.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use std::{env, fs, path::Path};
fn main() {
    let addr = "203.0.113.7:80".parse().unwrap();
    if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\n");
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
    }
    let out = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out).join("gen.rs"), "pub const N: u32 = 7;\n").unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
