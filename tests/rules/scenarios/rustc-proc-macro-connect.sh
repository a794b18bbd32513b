# R01 positive: cargo builds a crate whose procedural macro connects out from inside rustc
export RUSTUP_HOME=/root/.rustup CARGO_HOME=/root/.cargo PATH=/root/.cargo/bin:$PATH
http_up
(cd files/rust-proc-macro/app && cargo build --offline -q)
http_down
