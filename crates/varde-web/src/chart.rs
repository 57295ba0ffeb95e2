//! A horizontal bar chart drawn as SVG on the server, with its data table beside it, for any
//! area's figures: readable without JavaScript, and by a screen reader (the SVG has a title
//! listing every value; the table has the same rows). A suppressed cell draws no bar and shows
//! the suppression text. Rendered by `templates/shared/bar_chart.html`, included where a page
//! has `chart` (a [`BarChart`]) and `c` (the page frame) in scope.

/// Bar lengths are shares of this many pixels.
const BAR_WIDTH: f64 = 300.0;
/// One bar's row height, and the margin above the first.
const ROW: u32 = 30;
const TOP: u32 = 8;

/// One bar of a chart, and one row of its table.
pub struct Bar {
    pub label: String,
    /// What the label is (a level such as "Unit" or "Nation"), for the table.
    pub kind: String,
    /// The value as shown (a share, a count, or the suppression text).
    pub value: String,
    /// The value's parts as shown in the table (`12 / 40`), or `–`.
    pub detail: String,
    pub suppressed: bool,
    pub width: u32,
    pub y: u32,
    pub text_y: u32,
}

/// A chart: its id (for the page's anchors), title, the headings of its table's columns
/// (what a label is, the label, the value's parts, the value), and bars in order.
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub headings: [String; 4],
    pub bars: Vec<Bar>,
    pub height: u32,
}

/// One value to draw: `share` in 0–1 (`None`: suppressed or not computable).
pub struct Value {
    pub label: String,
    pub kind: String,
    pub share: Option<f64>,
    pub shown: String,
    pub detail: String,
    pub suppressed: bool,
}

impl BarChart {
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        headings: [String; 4],
        values: Vec<Value>,
    ) -> BarChart {
        let bars: Vec<Bar> = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let y = TOP + ROW * i as u32;
                Bar {
                    width: v
                        .share
                        .filter(|_| !v.suppressed)
                        .map_or(0, |s| (s.clamp(0.0, 1.0) * BAR_WIDTH).round() as u32),
                    y,
                    text_y: y + 15,
                    label: v.label,
                    kind: v.kind,
                    value: v.shown,
                    detail: v.detail,
                    suppressed: v.suppressed,
                }
            })
            .collect();
        BarChart {
            id: id.into(),
            title: title.into(),
            headings,
            height: 2 * TOP + ROW * bars.len() as u32,
            bars,
        }
    }
}

/// A share as Norwegian text: `41,7 %`.
pub fn percent(s: Option<f64>) -> String {
    s.map_or_else(String::new, |v| {
        format!("{:.1} %", v * 100.0).replace('.', ",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(share: Option<f64>, suppressed: bool) -> Value {
        Value {
            label: "Enhet".into(),
            kind: "Unit".into(),
            share,
            shown: percent(share),
            detail: "–".into(),
            suppressed,
        }
    }

    #[test]
    fn bars_scale_and_suppressed_cells_draw_nothing() {
        let c = BarChart::new(
            "x",
            "X",
            [
                "Level".into(),
                "Name".into(),
                "n / N".into(),
                "Share".into(),
            ],
            vec![
                value(Some(0.5), false),
                value(Some(0.9), true),
                value(Some(2.0), false),
            ],
        );
        assert_eq!(
            c.bars.iter().map(|b| b.width).collect::<Vec<_>>(),
            [150, 0, 300]
        );
        assert_eq!(c.bars[1].y, 38);
        assert_eq!(c.height, 16 + 90);
        assert_eq!(percent(Some(0.4166)), "41,7 %");
        assert_eq!(percent(None), "");
    }
}
