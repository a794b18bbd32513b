# R01/R02/R16 negative: an ordinary cargo build with a code-generating build script
export RUSTUP_HOME=/root/.rustup CARGO_HOME=/root/.cargo PATH=/root/.cargo/bin:$PATH
(cd files/rust-build-script && cargo build --offline -q && ./target/debug/gen)
