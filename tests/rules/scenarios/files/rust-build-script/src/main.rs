include!(concat!(env!("OUT_DIR"), "/gen.rs"));
fn main() {
    println!("{}", N);
}
