//! The 30-day chart: sign-ups and ruble revenue per day, drawn in the
//! function with `plotters` onto an RGB buffer and encoded as PNG. The font
//! (DejaVu Sans, `shared/assets/`) is compiled in: no system fonts, no
//! browser, no external service.

use crate::domains::error::Error;
use plotters::prelude::*;
use std::sync::Once;

/// Width of the chart, pixels.
pub const WIDTH: u32 = 960;
/// Height of the chart, pixels.
pub const HEIGHT: u32 = 600;

const FONT: &str = "dejavu";
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Texts drawn on the chart (in the admin's language).
pub struct Labels {
    /// Title of the upper chart.
    pub signups: String,
    /// Title of the lower chart.
    pub revenue: String,
}

/// Draws `series` (`day, sign-ups, rubles`, oldest first) as a PNG.
pub fn render(series: &[(String, i64, i64)], labels: &Labels) -> Result<Vec<u8>, Error> {
    REGISTER.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            tracing::error!("bundled chart font did not load");
        }
    });
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| Error::Text(e.to_string()))?;
        let (upper, lower) = root.split_vertically(HEIGHT / 2);
        let signups: Vec<i64> = series.iter().map(|s| s.1).collect();
        let revenue: Vec<i64> = series.iter().map(|s| s.2).collect();
        let days: Vec<String> = series.iter().map(|s| s.0[5..].to_owned()).collect();
        panel(&upper, &labels.signups, &days, &signups, &BLUE)?;
        panel(&lower, &labels.revenue, &days, &revenue, &GREEN)?;
        root.present().map_err(|e| Error::Text(e.to_string()))?;
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| Error::Text(e.to_string()))?;
        w.write_image_data(&rgb)
            .map_err(|e| Error::Text(e.to_string()))?;
    }
    Ok(png)
}

fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    title: &str,
    days: &[String],
    values: &[i64],
    color: &RGBColor,
) -> Result<(), Error> {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len().max(1) as i32;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 22))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(60)
        .build_cartesian_2d(0..n, 0..max + max / 10 + 1)
        .map_err(|e| Error::Text(e.to_string()))?;
    chart
        .configure_mesh()
        .x_labels(10)
        .x_label_formatter(&|i| days.get(*i as usize).cloned().unwrap_or_default())
        .label_style((FONT, 13))
        .draw()
        .map_err(|e| Error::Text(e.to_string()))?;
    chart
        .draw_series(LineSeries::new(
            values.iter().enumerate().map(|(i, v)| (i as i32, *v)),
            color.stroke_width(3),
        ))
        .map_err(|e| Error::Text(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_a_png_of_the_promised_size() {
        let series: Vec<_> = (1..=30)
            .map(|d| (format!("2026-11-{d:02}"), d % 7, d * 100))
            .collect();
        let labels = Labels {
            signups: "Sign-ups".into(),
            revenue: "Revenue".into(),
        };
        let png = render(&series, &labels).expect("renders");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = dec.read_info().expect("decodes");
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    }
}
