//! Charts drawn as SVG on the server, each with its data table beside it, for any area's
//! figures: readable without JavaScript, and by a screen reader (the SVG has a title; the table
//! has every value). A horizontal bar chart ([`BarChart`], `templates/shared/bar_chart.html`,
//! included where a page has `chart` and `c` in scope): a suppressed cell draws no bar and
//! shows the suppression text. A line chart of shares over periods ([`LineChart`],
//! `templates/shared/line_chart.html`, with `lc` in scope): a suppressed or empty point is
//! not drawn (the line breaks there), lines differ by dash as well as colour.

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

/// The line chart's plot: left margin (for the axis labels), width, top margin, height.
const PLOT_X: u32 = 44;
const PLOT_W: u32 = 480;
const PLOT_Y: u32 = 10;
const PLOT_H: u32 = 160;
/// At most this many period labels under the axis.
const MAX_TICKS: usize = 8;
/// Colours and dashes of the lines, in order (distinct without colour too).
const STYLES: [(&str, &str); 6] = [
    ("#0b4f8a", ""),
    ("#b35900", "6 3"),
    ("#2e7d32", "2 3"),
    ("#6a1b9a", "8 3 2 3"),
    ("#1b1f23", "1 2"),
    ("#c62828", "4 4"),
];

/// One line to draw: its label, what the label is, and one value per period (`share` in 0–1,
/// `None` when suppressed or nothing was measured; `shown` is the table's text).
pub struct LineSeries {
    pub label: String,
    pub kind: String,
    pub points: Vec<(Option<f64>, String)>,
}

/// The smallest of 1, 2, 5 × 10^k at or above `v` (1 for nothing to draw).
fn round_up(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|t| *t >= v)
        .unwrap_or(10.0 * p)
}

/// One drawn line: its pieces between missing points, its dots, its style and its legend.
pub struct Line {
    pub label: String,
    pub kind: String,
    /// SVG `points` of each unbroken piece.
    pub pieces: Vec<String>,
    pub dots: Vec<(u32, u32)>,
    pub colour: &'static str,
    pub dash: &'static str,
    pub legend_y: u32,
}

/// A period's label on the axis.
pub struct Tick {
    pub x: u32,
    pub label: String,
}

/// A line chart of shares (0–100 %) over periods, with its table: one row per period, one
/// column per line.
pub struct LineChart {
    pub id: String,
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub lines: Vec<Line>,
    pub ticks: Vec<Tick>,
    /// Horizontal grid lines: (y, label) at 0, half and all of the scale (0, 50 and 100 %
    /// for shares).
    pub grid: Vec<(u32, String)>,
    /// The table's headings: the period, then each line's label.
    pub headings: Vec<String>,
    /// The table's rows: the period, then each line's value as shown.
    pub rows: Vec<(String, Vec<String>)>,
    pub x0: u32,
    pub x1: u32,
    pub axis_y: u32,
    pub tick_y: u32,
    /// Marked points (x, y) with what they mark: the alarm weeks of a series chart
    /// ([`LineChart::values_marked`]); none on other charts.
    pub marks: Vec<(u32, u32, String)>,
}

impl LineChart {
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        period_heading: String,
        periods: Vec<String>,
        series: Vec<LineSeries>,
    ) -> LineChart {
        let n = periods.len();
        let x_of = |i: usize| -> u32 {
            if n <= 1 {
                PLOT_X + PLOT_W / 2
            } else {
                PLOT_X + (PLOT_W as usize * i / (n - 1)) as u32
            }
        };
        let y_of = |share: f64| -> u32 {
            PLOT_Y + PLOT_H - (share.clamp(0.0, 1.0) * f64::from(PLOT_H)).round() as u32
        };
        let axis_y = PLOT_Y + PLOT_H;
        let legend_top = axis_y + 40;
        let lines = series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let (colour, dash) = STYLES[k % STYLES.len()];
                let mut pieces = Vec::new();
                let mut piece: Vec<String> = Vec::new();
                let mut dots = Vec::new();
                for (i, (share, _)) in s.points.iter().enumerate() {
                    match share {
                        Some(v) => {
                            let (x, y) = (x_of(i), y_of(*v));
                            piece.push(format!("{x},{y}"));
                            dots.push((x, y));
                        }
                        None => {
                            if piece.len() > 1 {
                                pieces.push(piece.join(" "));
                            }
                            piece.clear();
                        }
                    }
                }
                if piece.len() > 1 {
                    pieces.push(piece.join(" "));
                }
                Line {
                    label: s.label.clone(),
                    kind: s.kind.clone(),
                    pieces,
                    dots,
                    colour,
                    dash,
                    legend_y: legend_top + 18 * k as u32,
                }
            })
            .collect::<Vec<_>>();
        let every = n.div_ceil(MAX_TICKS).max(1);
        let ticks = periods
            .iter()
            .enumerate()
            // Counted from the last period (always labelled), evenly.
            .filter(|(i, _)| (n - 1 - i).is_multiple_of(every))
            .map(|(i, p)| Tick {
                x: x_of(i),
                label: p.clone(),
            })
            .collect();
        let mut headings = vec![period_heading];
        headings.extend(series.iter().map(|s| format!("{} ({})", s.label, s.kind)));
        let rows = periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let cells = series
                    .iter()
                    .map(|s| s.points.get(i).map(|v| v.1.clone()).unwrap_or_default())
                    .collect();
                (p.clone(), cells)
            })
            .collect();
        LineChart {
            id: id.into(),
            title: title.into(),
            width: PLOT_X + PLOT_W + 40,
            height: legend_top + 18 * series.len() as u32,
            lines,
            ticks,
            grid: vec![
                (y_of(0.0), "0 %".to_owned()),
                (y_of(0.5), "50 %".to_owned()),
                (y_of(1.0), "100 %".to_owned()),
            ],
            headings,
            rows,
            x0: PLOT_X,
            x1: PLOT_X + PLOT_W,
            axis_y,
            tick_y: axis_y + 16,
            marks: Vec::new(),
        }
    }

    /// A line chart of values on their own scale (counts, rates, amounts): `series` carry the
    /// values themselves, not shares; the scale runs from 0 to a round number at or above the
    /// largest value, and the grid is labelled with numbers and `unit` (may be empty).
    pub fn values(
        id: impl Into<String>,
        title: impl Into<String>,
        period_heading: String,
        periods: Vec<String>,
        series: Vec<LineSeries>,
        unit: &str,
    ) -> LineChart {
        let largest = series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.0))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let top = round_up(largest);
        let shares = series
            .into_iter()
            .map(|s| LineSeries {
                points: s
                    .points
                    .into_iter()
                    .map(|(v, shown)| (v.map(|v| v / top), shown))
                    .collect(),
                ..s
            })
            .collect();
        let mut chart = LineChart::new(id, title, period_heading, periods, shares);
        let label = |v: f64| {
            let n = if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            };
            if unit.is_empty() {
                n
            } else {
                format!("{n} {unit}")
            }
        };
        for (k, f) in [0.0, 0.5, 1.0].into_iter().enumerate() {
            if let Some(g) = chart.grid.get_mut(k) {
                g.1 = label(top * f);
            }
        }
        chart
    }

    /// A chart of values ([`LineChart::values`]) with the first line's points at the periods
    /// `marked` (0-based) marked, each with its label (`alarm, 2026-W48: 14`): a weekly
    /// series' alarm weeks over its observed line and threshold line.
    pub fn values_marked(
        id: impl Into<String>,
        title: impl Into<String>,
        period_heading: String,
        periods: Vec<String>,
        series: Vec<LineSeries>,
        unit: &str,
        marked: &[(usize, String)],
    ) -> LineChart {
        let n = periods.len();
        let first: Vec<Option<f64>> = series
            .first()
            .map(|s| s.points.iter().map(|p| p.0).collect())
            .unwrap_or_default();
        let largest = series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.0))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let top = round_up(largest);
        let mut chart = LineChart::values(id, title, period_heading, periods, series, unit);
        chart.marks = marked
            .iter()
            .filter_map(|(i, label)| {
                let v = first.get(*i).copied().flatten()?;
                let x = if n <= 1 {
                    PLOT_X + PLOT_W / 2
                } else {
                    PLOT_X + (PLOT_W as usize * i / (n - 1)) as u32
                };
                let y = PLOT_Y + PLOT_H
                    - ((v / top).clamp(0.0, 1.0) * f64::from(PLOT_H)).round() as u32;
                Some((x, y, label.clone()))
            })
            .collect();
        chart
    }
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

    #[test]
    fn lines_break_at_missing_points_and_scale_to_the_plot() {
        let c = LineChart::new(
            "x",
            "X",
            "Period".into(),
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            vec![LineSeries {
                label: "Enhet".into(),
                kind: "Unit".into(),
                points: vec![
                    (Some(0.0), "0,0 %".into()),
                    (Some(1.0), "100,0 %".into()),
                    (None, "hidden".into()),
                    (Some(0.5), "50,0 %".into()),
                ],
            }],
        );
        let line = &c.lines[0];
        // One piece of two points; the lone last point is a dot only.
        assert_eq!(line.pieces, ["44,170 204,10"]);
        assert_eq!(line.dots.len(), 3);
        assert_eq!(line.dots[2], (524, 90));
        assert_eq!(c.headings, ["Period", "Enhet (Unit)"]);
        assert_eq!(c.rows[2], ("c".to_string(), vec!["hidden".to_string()]));
        assert_eq!(c.ticks.len(), 4);
        // 24 months: every third labelled, the last among them, none crowding it.
        let periods: Vec<String> = (1..=24).map(|m| format!("m{m}")).collect();
        let c = LineChart::new("y", "Y", "Period".into(), periods, vec![]);
        let labels: Vec<&str> = c.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["m3", "m6", "m9", "m12", "m15", "m18", "m21", "m24"]
        );
    }

    /// A chart of values scales to a round number at or above the largest value and labels
    /// its grid with numbers; the table keeps the values as shown.
    #[test]
    fn a_chart_of_values_has_its_own_scale() {
        assert_eq!(round_up(0.0), 1.0);
        assert_eq!(round_up(3.2), 5.0);
        assert_eq!(round_up(17.0), 20.0);
        assert_eq!(round_up(100.0), 100.0);
        assert_eq!(round_up(101.0), 200.0);
        let c = LineChart::values(
            "c",
            "Counts",
            "Week".into(),
            vec!["W1".into(), "W2".into()],
            vec![LineSeries {
                label: "Observed".into(),
                kind: "count".into(),
                points: vec![(Some(4.0), "4".into()), (Some(17.0), "17".into())],
            }],
            "",
        );
        let labels: Vec<&str> = c.grid.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(labels, ["0", "10", "20"]);
        assert_eq!(c.rows[1].1, ["17"]);
        // 17 of 20: the dot sits 85 % up the plot.
        let (_, y) = c.lines[0].dots[1];
        assert_eq!(y, c.axis_y - (f64::from(PLOT_H) * 0.85).round() as u32);
    }

    /// A series chart marks its alarm weeks on the observed line, where its dots are.
    #[test]
    fn alarm_weeks_are_marked_on_the_first_line() {
        let line = |label: &str, v: [f64; 3]| LineSeries {
            label: label.into(),
            kind: "count".into(),
            points: v.iter().map(|x| (Some(*x), x.to_string())).collect(),
        };
        let c = LineChart::values_marked(
            "s",
            "Series",
            "Week".into(),
            vec!["W1".into(), "W2".into(), "W3".into()],
            vec![
                line("Observed", [2.0, 3.0, 9.0]),
                line("Threshold", [5.0, 5.0, 5.0]),
            ],
            "",
            &[(2, "alarm".into()), (7, "none".into())],
        );
        assert_eq!(c.marks.len(), 1);
        let (x, y, _) = &c.marks[0];
        assert_eq!((*x, *y), c.lines[0].dots[2]);
        assert!(LineChart::values("v", "V", "W".into(), vec![], vec![], "")
            .marks
            .is_empty());
    }
}
