# R16 positive: a crate's build.rs downloads something at build time
export RUSTUP_HOME=/root/.rustup CARGO_HOME=/root/.cargo PATH=/root/.cargo/bin:$PATH
http_up
(cd files/rust-build-script-net && cargo build --offline -q)
http_down
