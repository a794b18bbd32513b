fn main() {
    println!("{}", mac::answer!());
}
