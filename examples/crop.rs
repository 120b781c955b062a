//! crop IN OUT X Y W H: cuts a region out of an RGB PNG (worktree-only eyeballing aid).
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n = |i: usize| a[i].parse::<u32>().unwrap();
    let (x, y, w, h) = (n(3), n(4), n(5), n(6));
    let dec = png::Decoder::new(std::fs::File::open(&a[1]).unwrap());
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    let mut out = Vec::new();
    for row in y..y + h {
        let s = ((row * info.width + x) * 3) as usize;
        out.extend_from_slice(&buf[s..s + (w * 3) as usize]);
    }
    let mut e = png::Encoder::new(std::fs::File::create(&a[2]).unwrap(), w, h);
    e.set_color(png::ColorType::Rgb);
    e.write_header().unwrap().write_image_data(&out).unwrap();
}
