//! The 30-day chart: sign-ups, ruble revenue and Stars revenue per day as
//! bars, drawn with `plotters` onto an RGB buffer and encoded as PNG. The
//! font (DejaVu Sans, `shared/assets/`) is compiled in: no system fonts, no
//! browser, no external service.
//!
//! Telegram shows the photo about 400 points wide on a phone, so the text
//! is large for a 960-pixel image, and the panels share one row of dates at
//! the bottom instead of repeating it.

use crate::base::format::grouped;
use crate::base::types::Lang;
use crate::domains::error::Error;
use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Width of the chart, pixels.
pub const WIDTH: u32 = 960;
/// Height of the chart, pixels: taller than wide screens like, because a
/// phone shows a photo at its width and three panels need the room.
pub const HEIGHT: u32 = 960;

const FONT: &str = "dejavu";
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// One day of the chart, oldest first in the slice `render` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Sign-ups that day.
    pub signups: i64,
    /// Ruble revenue that day, whole rubles.
    pub rub: i64,
    /// Stars revenue that day.
    pub stars: i64,
}

/// Texts drawn on the chart, in the admin's language. The font has "★"
/// but no "⭐" emoji, so Stars texts use the former.
pub struct Labels {
    /// How numbers and dates are written.
    pub lang: Lang,
    /// Title of the sign-ups panel ("Регистрации по дням").
    pub signups: String,
    /// Title of the ruble panel ("Выручка по дням, ₽").
    pub rub: String,
    /// Title of the Stars panel ("Звёзды по дням, ★").
    pub stars: String,
    /// The last day's name, under its bar and in the totals ("сегодня").
    pub today: String,
    /// The whole period, before its total ("за 30 дней").
    pub period: String,
}

/// Two shades of a series: the days, and today's stronger one.
#[derive(Clone, Copy)]
struct Shades {
    bar: RGBColor,
    today: RGBColor,
}

// A light card with dark text reads on Telegram's light and dark chat
// backgrounds alike; the bar colours are muted, today's shade is the same
// hue, darker, so it stands out without a new colour to learn.
const CARD: RGBColor = RGBColor(0xF7, 0xF8, 0xFA);
const INK: RGBColor = RGBColor(0x1F, 0x29, 0x37);
const MUTED: RGBColor = RGBColor(0x6B, 0x72, 0x80);
const GRID: RGBColor = RGBColor(0xE1, 0xE5, 0xEA);
const AXIS: RGBColor = RGBColor(0xA8, 0xB0, 0xBC);
const TODAY_COLUMN: RGBColor = RGBColor(0xEC, 0xEF, 0xF4);
const SIGNUPS: Shades = Shades {
    bar: RGBColor(0x8D, 0xB0, 0xDD),
    today: RGBColor(0x2F, 0x62, 0xA8),
};
const RUB: Shades = Shades {
    bar: RGBColor(0x86, 0xC5, 0xA4),
    today: RGBColor(0x2A, 0x7D, 0x56),
};
const STARS: Shades = Shades {
    bar: RGBColor(0xEF, 0xC2, 0x75),
    today: RGBColor(0xB9, 0x7A, 0x12),
};

const MARGIN: i32 = 24;
const TITLE_SIZE: f64 = 34.0;
const TEXT_SIZE: f64 = 28.0;
const TICK_SIZE: f64 = 25.0;
/// Height of a panel's title line.
const HEADER: i32 = 48;
/// Room above the highest bar for today's value.
const HEADROOM: i32 = 34;
/// Height of the row of dates under the last panel.
const DATES: i32 = 40;
/// Space between panels.
const GAP: i32 = 36;
/// Days between two date labels: a week, counted back from today so that
/// today always has its label.
const DATE_STEP: usize = 7;

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// One panel: a title, a value per day and its colours.
struct Panel<'a> {
    title: &'a str,
    values: Vec<i64>,
    shades: Shades,
    /// Text after the totals in the title line.
    note: Option<String>,
}

/// Draws `days` (oldest first, the last is today) as a PNG.
pub fn render(days: &[Day], labels: &Labels) -> Result<Vec<u8>, Error> {
    REGISTER.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            tracing::error!("bundled chart font did not load");
        }
    });
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&CARD).map_err(fail)?;
        draw(&root, days, labels)?;
        root.present().map_err(fail)?;
    }
    encode(&rgb)
}

fn fail(e: impl std::fmt::Display) -> Error {
    Error::Text(e.to_string())
}

fn encode(rgb: &[u8]) -> Result<Vec<u8>, Error> {
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(fail)?;
        w.write_image_data(rgb).map_err(fail)?;
    }
    Ok(png)
}

fn draw(root: &Area<'_>, days: &[Day], labels: &Labels) -> Result<(), Error> {
    let panels = panels(days, labels);
    let scales: Vec<Scale> = panels.iter().map(|p| Scale::new(&p.values)).collect();
    let left = MARGIN + y_label_width(root, labels.lang, &scales)? + 12;
    let count = panels.len() as i32;
    let height = (HEIGHT as i32 - 2 * MARGIN - DATES - GAP * (count - 1)) / count;
    let mut plot = None;
    for (i, (panel, scale)) in panels.iter().zip(scales).enumerate() {
        let top = MARGIN + i as i32 * (height + GAP);
        header(root, panel, labels, top)?;
        let frame = Plot {
            left,
            right: WIDTH as i32 - MARGIN,
            top: top + HEADER + HEADROOM,
            bottom: top + height,
            days: days.len(),
            scale,
        };
        bars(root, &frame, panel, labels.lang)?;
        plot = Some(frame);
    }
    match plot {
        Some(last) => dates(root, &last, days, labels),
        None => Ok(()),
    }
}

/// Sign-ups and rubles always; Stars get a panel only when there were
/// any, else a "★ 0" after the ruble totals says so in one line.
fn panels<'a>(days: &[Day], labels: &'a Labels) -> Vec<Panel<'a>> {
    let stars: Vec<i64> = days.iter().map(|d| d.stars).collect();
    let no_stars = stars.iter().all(|s| *s <= 0);
    let mut out = vec![
        Panel {
            title: &labels.signups,
            values: days.iter().map(|d| d.signups).collect(),
            shades: SIGNUPS,
            note: None,
        },
        Panel {
            title: &labels.rub,
            values: days.iter().map(|d| d.rub).collect(),
            shades: RUB,
            note: no_stars.then(|| "★ 0".to_owned()),
        },
    ];
    if !no_stars {
        out.push(Panel {
            title: &labels.stars,
            values: stars,
            shades: STARS,
            note: None,
        });
    }
    out
}

/// The vertical scale of a panel: round steps, at most four of them.
#[derive(Clone, Copy)]
struct Scale {
    step: i64,
    top: i64,
}

impl Scale {
    fn new(values: &[i64]) -> Scale {
        let max = values.iter().copied().max().unwrap_or(0).max(0);
        let step = nice_step(max);
        Scale {
            step,
            top: (max + step - 1) / step * step,
        }
    }

    /// The values with a grid line and a label: only 0 for an empty panel.
    fn ticks(self) -> impl Iterator<Item = i64> {
        (0..=self.top / self.step).map(move |k| k * self.step)
    }
}

/// The smallest of 1, 2, 5, 10, 20, 50… that covers `max` in four steps.
fn nice_step(max: i64) -> i64 {
    let mut unit = 1;
    loop {
        for k in [1, 2, 5] {
            if k * unit * 4 >= max {
                return k * unit;
            }
        }
        unit *= 10;
    }
}

/// Where a panel's bars go, in pixels.
struct Plot {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    days: usize,
    scale: Scale,
}

impl Plot {
    fn slot(&self) -> f64 {
        f64::from(self.right - self.left) / self.days.max(1) as f64
    }

    /// The left and right edge of day `i`'s slot.
    fn slot_edges(&self, i: usize) -> (i32, i32) {
        let left = f64::from(self.left) + self.slot() * i as f64;
        (left.round() as i32, (left + self.slot()).round() as i32)
    }

    fn center(&self, i: usize) -> i32 {
        let (l, r) = self.slot_edges(i);
        (l + r) / 2
    }

    fn y(&self, value: i64) -> i32 {
        // An empty panel has a top of 0: its one line is the baseline.
        let share = value.clamp(0, self.scale.top) as f64 / self.scale.top.max(1) as f64;
        self.bottom - (share * f64::from(self.bottom - self.top)).round() as i32
    }
}

fn style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// The widest value label of all panels, so that their bars line up.
fn y_label_width(root: &Area<'_>, lang: Lang, scales: &[Scale]) -> Result<i32, Error> {
    let font = style(TICK_SIZE, MUTED, HPos::Right, VPos::Center);
    let mut widest = 0;
    for scale in scales {
        let (w, _) = root
            .estimate_text_size(&number(lang, scale.top), &font)
            .map_err(fail)?;
        widest = widest.max(w as i32);
    }
    Ok(widest)
}

fn number(lang: Lang, n: i64) -> String {
    grouped(lang, n.max(0).unsigned_abs())
}

/// The title on the left; today's value and the period's total on the
/// right, the numbers in the panel's colour.
fn header(root: &Area<'_>, panel: &Panel<'_>, labels: &Labels, top: i32) -> Result<(), Error> {
    let middle = top + HEADER / 2;
    let title = style(TITLE_SIZE, INK, HPos::Left, VPos::Center);
    root.draw(&Text::new(panel.title, (MARGIN, middle), title))
        .map_err(fail)?;
    let today = panel.values.last().copied().unwrap_or(0);
    let total: i64 = panel.values.iter().map(|v| (*v).max(0)).sum();
    let mut pieces = vec![
        (format!("{} ", labels.today), MUTED),
        (number(labels.lang, today), panel.shades.today),
        (format!("  ·  {} ", labels.period), MUTED),
        (number(labels.lang, total), INK),
    ];
    if let Some(note) = &panel.note {
        pieces.push((format!("  ·  {note}"), MUTED));
    }
    right_aligned(root, &pieces, WIDTH as i32 - MARGIN, middle)
}

/// Draws `pieces` in a row ending at `right`, each in its colour.
fn right_aligned(
    root: &Area<'_>,
    pieces: &[(String, RGBColor)],
    right: i32,
    middle: i32,
) -> Result<(), Error> {
    let mut x = right;
    for (text, color) in pieces.iter().rev() {
        let font = style(TEXT_SIZE, *color, HPos::Right, VPos::Center);
        root.draw(&Text::new(text.as_str(), (x, middle), font.clone()))
            .map_err(fail)?;
        x -= root.estimate_text_size(text, &font).map_err(fail)?.0 as i32;
    }
    Ok(())
}

/// Grid, bars and today's value of one panel.
fn bars(root: &Area<'_>, plot: &Plot, panel: &Panel<'_>, lang: Lang) -> Result<(), Error> {
    let last = plot.days.saturating_sub(1);
    if plot.days > 0 {
        // A tinted column keeps today visible even on a day of zero.
        let (l, r) = plot.slot_edges(last);
        root.draw(&Rectangle::new(
            [(l, plot.top - HEADROOM), (r, plot.bottom)],
            TODAY_COLUMN.filled(),
        ))
        .map_err(fail)?;
    }
    grid(root, plot, lang)?;
    // A gap of a quarter slot between bars, at least two pixels.
    let gap = ((plot.slot() / 4.0).round() as i32).max(2);
    for (i, value) in panel.values.iter().enumerate() {
        if *value <= 0 {
            continue;
        }
        let (l, r) = plot.slot_edges(i);
        let color = if i == last {
            panel.shades.today
        } else {
            panel.shades.bar
        };
        root.draw(&Rectangle::new(
            [
                (l + gap / 2, plot.y(*value)),
                (r - gap + gap / 2, plot.bottom),
            ],
            color.filled(),
        ))
        .map_err(fail)?;
    }
    today_value(root, plot, &panel.values, panel.shades.today, lang)
}

/// Today's value over its bar, moved left if it is too wide to be centred
/// and lifted over the bars it spans, so it never sits on one.
fn today_value(
    root: &Area<'_>,
    plot: &Plot,
    values: &[i64],
    color: RGBColor,
    lang: Lang,
) -> Result<(), Error> {
    let Some(today) = values.last().copied() else {
        return Ok(());
    };
    let text = number(lang, today);
    let font = style(TICK_SIZE, color, HPos::Center, VPos::Bottom);
    let (w, _) = root.estimate_text_size(&text, &font).map_err(fail)?;
    let x = plot.center(values.len() - 1).min(plot.right - w as i32 / 2);
    let spanned = values.iter().enumerate().filter(|(i, _)| {
        let (l, r) = plot.slot_edges(*i);
        r > x - w as i32 / 2 && l < x + w as i32 / 2
    });
    let highest = spanned.map(|(_, v)| *v).max().unwrap_or(today);
    root.draw(&Text::new(text, (x, plot.y(highest) - 6), font))
        .map_err(fail)
}

/// Horizontal lines at the scale's steps, labelled on the left, and the
/// baseline over them.
fn grid(root: &Area<'_>, plot: &Plot, lang: Lang) -> Result<(), Error> {
    let font = style(TICK_SIZE, MUTED, HPos::Right, VPos::Center);
    for value in plot.scale.ticks() {
        let y = plot.y(value);
        let color = if value == 0 { AXIS } else { GRID };
        root.draw(&PathElement::new(
            vec![(plot.left, y), (plot.right, y)],
            color.stroke_width(2),
        ))
        .map_err(fail)?;
        root.draw(&Text::new(
            number(lang, value),
            (plot.left - 12, y),
            font.clone(),
        ))
        .map_err(fail)?;
    }
    Ok(())
}

/// Dates under the last panel, a week apart, and today's name under its
/// bar.
fn dates(root: &Area<'_>, plot: &Plot, days: &[Day], labels: &Labels) -> Result<(), Error> {
    let y = plot.bottom + 10;
    for (back, day) in days.iter().rev().enumerate().step_by(DATE_STEP) {
        let i = days.len() - 1 - back;
        let (text, color) = if back == 0 {
            (labels.today.clone(), INK)
        } else {
            (day_month(labels.lang, day.date), MUTED)
        };
        let font = style(TICK_SIZE, color, HPos::Center, VPos::Top);
        let (w, _) = root.estimate_text_size(&text, &font).map_err(fail)?;
        // Centred under its bar unless it would run past the bars' edge.
        let x = plot.center(i).min(plot.right - w as i32 / 2);
        root.draw(&Text::new(text, (x, y), font)).map_err(fail)?;
    }
    Ok(())
}

/// A day as the language writes it in a short label: "7 дек." or "Dec 7".
fn day_month(lang: Lang, date: NaiveDate) -> String {
    const RU: [&str; 12] = [
        "янв.",
        "февр.",
        "мар.",
        "апр.",
        "мая",
        "июн.",
        "июл.",
        "авг.",
        "сент.",
        "окт.",
        "нояб.",
        "дек.",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = date.month0() as usize;
    match lang {
        Lang::Ru => format!("{}\u{a0}{}", date.day(), RU[month]),
        Lang::En => format!("{}\u{a0}{}", EN[month], date.day()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lang: Lang) -> Labels {
        let (signups, rub, stars, today, period) = match lang {
            Lang::Ru => (
                "Регистрации по дням",
                "Выручка по дням, ₽",
                "Звёзды по дням, ★",
                "сегодня",
                "за 30 дней",
            ),
            Lang::En => (
                "Sign-ups per day",
                "Revenue per day, ₽",
                "Stars per day, ★",
                "today",
                "30 days",
            ),
        };
        Labels {
            lang,
            signups: signups.into(),
            rub: rub.into(),
            stars: stars.into(),
            today: today.into(),
            period: period.into(),
        }
    }

    /// Thirty days ending on 7 December 2026.
    fn month(day: impl Fn(i64) -> (i64, i64, i64)) -> Vec<Day> {
        let end = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date");
        (0..30)
            .map(|k| {
                let (signups, rub, stars) = day(k);
                Day {
                    date: end - chrono::Days::new(29 - k as u64),
                    signups,
                    rub,
                    stars,
                }
            })
            .collect()
    }

    fn empty() -> Vec<Day> {
        month(|_| (0, 0, 0))
    }

    /// A growing shop: weekly rhythm in sign-ups, a few sales a day at
    /// 199–1 499 ₽, Stars on some days; fixed numbers, no randomness.
    fn busy() -> Vec<Day> {
        month(|k| {
            let weekly = [0, 3, 5, 4, 6, 9, 7][(k % 7) as usize];
            let signups = 18 + k + weekly * 2 + (k * 37 % 11);
            let rub = 1_990 + k * 310 + (k * 7_919 % 5) * 1_499 - (k % 6) * 199;
            let stars = [0, 250, 0, 0, 500, 0, 100][((k * 3 + 1) % 7) as usize] * (1 + k / 15);
            (signups, rub, stars)
        })
    }

    fn decode(png: &[u8]) -> (u32, u32, png::ColorType, png::BitDepth) {
        let reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .expect("decodes");
        let info = reader.info();
        (info.width, info.height, info.color_type, info.bit_depth)
    }

    #[test]
    fn the_chart_is_an_rgb_png_of_the_promised_size() {
        for days in [empty(), busy(), Vec::new()] {
            let png = render(&days, &labels(Lang::En)).expect("renders");
            assert_eq!(
                decode(&png),
                (WIDTH, HEIGHT, png::ColorType::Rgb, png::BitDepth::Eight)
            );
        }
    }

    #[test]
    fn steps_are_round_and_cover_the_highest_day() {
        for (max, step, top) in [
            (0, 1, 0),
            (1, 1, 1),
            (7, 2, 8),
            (45, 20, 60),
            (12_345, 5_000, 15_000),
        ] {
            let scale = Scale::new(&[max]);
            assert_eq!((scale.step, scale.top), (step, top), "max {max}");
        }
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date");
        assert_eq!(day_month(Lang::Ru, date), "7\u{a0}дек.");
        assert_eq!(day_month(Lang::En, date), "Dec\u{a0}7");
    }

    /// The PNGs in docs/charts are what the chart looks like, for a person
    /// to look at; this keeps them current. `UPDATE_SNAPSHOTS=1` rewrites
    /// them after a change to the drawing.
    #[test]
    fn the_documented_charts_are_current() {
        let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
        let mut stale = Vec::new();
        for (name, days) in [("empty", empty()), ("busy", busy())] {
            for lang in Lang::ALL {
                let png = render(&days, &labels(lang)).expect("renders");
                let path = format!(
                    "{}/../docs/charts/{name}-{}.png",
                    env!("CARGO_MANIFEST_DIR"),
                    lang.code()
                );
                if update {
                    std::fs::write(&path, &png).expect("writes the snapshot");
                } else if std::fs::read(&path).ok().as_deref() != Some(png.as_slice()) {
                    stale.push(path);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "the chart changed; run the tests with UPDATE_SNAPSHOTS=1, look at the PNGs and commit them: {stale:?}"
        );
    }
}
