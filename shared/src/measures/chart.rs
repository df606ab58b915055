//! The arithmetic of the dashboard's charts, pure and tested here: a value axis with round tick marks
//! that holds the largest value, and where a bar or a tick sits. The app draws small SVG charts from it
//! (no charting crate: see `docs/decisions/charts.md`).

/// A value axis from 0 to `top`, with tick marks every `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub top: usize,
    pub step: usize,
}

impl Axis {
    /// The smallest round axis holding `max`: steps of 1, 2 or 5 times a power of ten, at most
    /// `most_ticks` steps (at least one: an empty chart still has an axis of 0 to 1).
    pub fn holding(max: usize, most_ticks: usize) -> Axis {
        let most_ticks = most_ticks.max(1);
        let mut power = 1usize;
        loop {
            for factor in [1, 2, 5] {
                let step = factor * power;
                let steps = max.div_ceil(step).max(1);
                if steps <= most_ticks {
                    return Axis { top: steps * step, step };
                }
            }
            power = power.saturating_mul(10);
        }
    }

    /// The tick values, from 0 to `top`.
    pub fn ticks(&self) -> Vec<usize> {
        (0..=self.top / self.step.max(1)).map(|i| i * self.step).collect()
    }

    /// How far up the axis `value` is, as a share of `length` (a value above the top is at the top).
    pub fn position(&self, value: usize, length: f64) -> f64 {
        if self.top == 0 {
            return 0.0;
        }
        value.min(self.top) as f64 / self.top as f64 * length
    }
}

/// Where the `index`th of `count` groups of bars starts along `length`, and how wide each group is,
/// with a gap of a quarter of a group between groups.
pub fn band(index: usize, count: usize, length: f64) -> (f64, f64) {
    if count == 0 {
        return (0.0, 0.0);
    }
    let slot = length / count as f64;
    let width = slot * 0.75;
    (index as f64 * slot + (slot - width) / 2.0, width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_axis_is_round_and_holds_the_largest_value() {
        assert_eq!(Axis::holding(0, 5), Axis { top: 1, step: 1 });
        assert_eq!(Axis::holding(3, 5), Axis { top: 3, step: 1 });
        assert_eq!(Axis::holding(7, 5), Axis { top: 8, step: 2 });
        assert_eq!(Axis::holding(23, 5), Axis { top: 25, step: 5 });
        assert_eq!(Axis::holding(101, 5), Axis { top: 150, step: 50 });
        assert_eq!(Axis::holding(9_876, 5), Axis { top: 10_000, step: 2_000 });
        assert_eq!(Axis::holding(23, 5).ticks(), vec![0, 5, 10, 15, 20, 25]);
    }

    #[test]
    fn positions_and_bands_stay_inside_the_chart() {
        let axis = Axis::holding(40, 4);
        assert_eq!(axis.position(0, 200.0), 0.0);
        assert_eq!(axis.position(40, 200.0), 200.0);
        assert_eq!(axis.position(20, 200.0), 100.0);
        assert_eq!(axis.position(400, 200.0), 200.0);
        assert_eq!(band(0, 4, 400.0), (12.5, 75.0));
        assert_eq!(band(3, 4, 400.0), (312.5, 75.0));
        assert_eq!(band(0, 0, 400.0), (0.0, 0.0));
    }

    proptest! {
        #[test]
        fn any_axis_holds_its_maximum_in_few_round_steps(max in 0usize..10_000_000, ticks in 1usize..12) {
            let axis = Axis::holding(max, ticks);
            prop_assert!(axis.top >= max);
            prop_assert!(axis.top / axis.step <= ticks);
            prop_assert_eq!(axis.top % axis.step, 0);
            let mut step = axis.step;
            while step.is_multiple_of(10) { step /= 10; }
            prop_assert!([1, 2, 5].contains(&step));
            // No smaller round axis would do: one step fewer would not hold the maximum.
            prop_assert!(axis.top < max + axis.step || max == 0);
        }
    }
}
