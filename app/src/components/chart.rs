//! Small SVG bar charts for the dashboard: each bar or segment carries its number as text and a pattern
//! as well as a colour, so no figure is read from colour alone; the page shows the same numbers as a
//! table beside each chart (the chart is `aria-hidden`: the table is what a screen reader reads). The
//! axis arithmetic is `dsr_shared::measures::chart`, tested there. Why not a charting crate: see
//! `docs/decisions/charts.md`.

use dsr_shared::measures::chart::{Axis, band};
use leptos::prelude::*;

/// A series: its name (the legend's and the table's), its CSS class (colour) and its SVG pattern's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    pub pattern: &'static str,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
/// Room for the axis numbers on the left and the labels underneath.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

/// The id of a series' pattern (one per pattern and colour, defined once per page by [`ChartPatterns`]).
fn fill(s: &Series) -> String {
    format!("url(#{}--{})", s.pattern, s.class)
}

/// The patterns of `series` (hatching, dots, cross-hatching, plain, each in its series' colour), defined
/// once on the page for every chart on it.
#[component]
pub fn ChartPatterns(series: Vec<Series>) -> impl IntoView {
    let mut seen = Vec::new();
    let defs = series
        .into_iter()
        .filter(|s| {
            let key = (s.pattern, s.class);
            let new = !seen.contains(&key);
            seen.push(key);
            new
        })
        .map(|s| {
            let id = format!("{}--{}", s.pattern, s.class);
            let marks = match s.pattern {
                "dsr-pattern-hatch" => {
                    view! { <line x1="0" y1="0" x2="0" y2="8" class="dsr-pattern-line"></line> }.into_any()
                }
                "dsr-pattern-dots" => {
                    view! { <circle cx="4" cy="4" r="1.6" class="dsr-pattern-dot"></circle> }.into_any()
                }
                "dsr-pattern-cross" => view! {
                    <line x1="0" y1="4" x2="8" y2="4" class="dsr-pattern-line"></line>
                    <line x1="4" y1="0" x2="4" y2="8" class="dsr-pattern-line"></line>
                }
                .into_any(),
                _ => ().into_any(),
            };
            let turn = if s.pattern == "dsr-pattern-hatch" { "rotate(45)" } else { "rotate(0)" };
            view! {
                <pattern id=id width="8" height="8" patternUnits="userSpaceOnUse" patternTransform=turn class=s.class>
                    <rect width="8" height="8" class="dsr-pattern-fill"></rect>
                    {marks}
                </pattern>
            }
        })
        .collect_view();
    view! {
        <svg class="dsr-chart-patterns" width="0" height="0" aria-hidden="true" focusable="false">
            <defs>{defs}</defs>
        </svg>
    }
}

/// The legend: each series' swatch (its pattern and colour) and name.
#[component]
pub fn Legend(series: Vec<Series>) -> impl IntoView {
    view! {
        <ul class="dsr-legend" aria-hidden="true">
            {series.into_iter().map(|s| view! {
                <li>
                    <svg width="18" height="18" viewBox="0 0 18 18" class=format!("dsr-series {}", s.class)>
                        <rect width="18" height="18" fill=fill(&s) class="dsr-chart-bar"></rect>
                    </svg>
                    " "{s.name}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Bars for each label, the series stacked (`stacked`) or side by side; `values[i][j]` is label i's
/// value of series j. Each bar or segment of 1 or more shows its number.
#[component]
pub fn BarChart(
    labels: Vec<String>,
    series: Vec<Series>,
    values: Vec<Vec<usize>>,
    #[prop(default = false)] stacked: bool,
) -> impl IntoView {
    let max = values
        .iter()
        .map(|row| if stacked { row.iter().sum() } else { row.iter().copied().max().unwrap_or(0) })
        .max()
        .unwrap_or(0);
    let axis = Axis::holding(max, 5);
    let plot_height = HEIGHT - BOTTOM - TOP;
    let plot_width = WIDTH - LEFT;
    let y = move |v: usize| TOP + plot_height - axis.position(v, plot_height);
    let ticks = axis.ticks().into_iter().map(|t| {
        let at = y(t);
        view! {
            <line x1=LEFT x2=WIDTH y1=at y2=at class="dsr-chart-grid"></line>
            <text x=LEFT - 6.0 y=at + 4.0 text-anchor="end" class="dsr-chart-axis">{t.to_string()}</text>
        }
    });
    let count = labels.len();
    let bars = labels.into_iter().zip(values).enumerate().map(move |(i, (label, row))| {
        let (x, width) = band(i, count, plot_width);
        let x = LEFT + x;
        let series = series.clone();
        let each = if stacked { width } else { width / series.len().max(1) as f64 };
        let mut base = 0usize;
        let rects = series
            .into_iter()
            .zip(row)
            .enumerate()
            .filter(|(_, (_, v))| *v > 0)
            .map(|(j, (s, v))| {
                let (left, bottom, top) =
                    if stacked { (x, base, base + v) } else { (x + j as f64 * each, 0, v) };
                base = top;
                let (y_top, y_bottom) = (y(top), y(bottom));
                let height = (y_bottom - y_top).max(0.0);
                // The number inside a segment tall enough, above a side-by-side bar otherwise.
                let text_y = if height >= 16.0 { y_top + height / 2.0 + 5.0 } else { y_top - 3.0 };
                view! {
                    <g class=format!("dsr-series {}", s.class)>
                        <rect x=left y=y_top width=each height=height fill=fill(&s) class="dsr-chart-bar"></rect>
                        {(height >= 16.0 || !stacked).then(|| view! {
                            <text x=left + each / 2.0 y=text_y text-anchor="middle"
                                class={if height >= 16.0 { "dsr-chart-value dsr-chart-value--inside" } else { "dsr-chart-value" }}>
                                {v.to_string()}
                            </text>
                        })}
                    </g>
                }
            })
            .collect_view();
        view! {
            {rects}
            <text x=x + width / 2.0 y=HEIGHT - 8.0 text-anchor="middle" class="dsr-chart-axis">{label}</text>
        }
    });
    view! {
        <svg class="dsr-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="xMidYMid meet"
            aria-hidden="true" focusable="false">
            {ticks.collect_view()}
            {bars.collect_view()}
            <line x1=LEFT x2=WIDTH y1=y(0) y2=y(0) class="dsr-chart-baseline"></line>
        </svg>
    }
}
