//! The FTC Mail Order Rule's option workflow (16 CFR 435.2) as a state
//! machine: an order's shipping obligation, what happens to it, and what the
//! merchant must do in answer. `step(obligation, event, today)` is pure;
//! the edge stores the obligation, feeds it events, and carries out the
//! actions (emails, webhooks).
//!
//! Days are civil dates in the merchant's zone: the rule counts days, and
//! the notices print dates. The rule, as applied here:
//! - ship by the date stated (30 days after the order when none was stated,
//!   50 when the buyer applied for credit from the seller);
//! - when that cannot be met, an option notice at once (before the date): a
//!   definite revised date, or a plain "we cannot say, because …"; the right
//!   to cancel for a full refund; a free way to consent or cancel;
//! - silence is consent only to a first delay of at most 30 days past the
//!   original date; otherwise, with no express consent by the original date
//!   plus 30 days, the order is cancelled;
//! - when a revised date cannot be met either, a renewed notice before it
//!   passes, after which only express consent keeps the order: with none by
//!   the end of the revised date, it is cancelled;
//! - a buyer who agreed to an indefinite delay may still cancel at any time;
//! - a cancellation is refunded within 7 working days, or one billing
//!   cycle (a month, here) when the seller extended the credit itself.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::promise::calendar::BusinessCalendar;

/// Days after the original date that silence can still consent to.
pub const SILENT_CONSENT_DAYS: i32 = 30;
/// Working days a refund may take (other than the seller's own credit).
pub const REFUND_WORKING_DAYS: u32 = 7;
/// Days a buyer has to answer a notice sent after the original date.
pub const LATE_NOTICE_ANSWER_DAYS: i32 = 7;
/// The shipping time the rule implies when the merchant stated none.
pub const DEFAULT_SHIP_DAYS: i32 = 30;
/// The same when the buyer applied to the seller for credit to pay.
pub const DEFAULT_SHIP_DAYS_ON_CREDIT: i32 = 50;

/// How the buyer paid: it sets the refund clock (and the default deadline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A card or wallet of a third party: refund within 7 working days.
    Card,
    /// Cash, check, bank transfer and the like: 7 working days too.
    Other,
    /// Credit the merchant extended itself: refund within one billing cycle.
    MerchantCredit,
}

impl PaymentKind {
    /// The last day to ship when the merchant stated no time.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::order::ftc::PaymentKind;
    /// assert_eq!(PaymentKind::Card.default_ship_by(date(2026, 12, 1)), date(2026, 12, 31));
    /// assert_eq!(PaymentKind::MerchantCredit.default_ship_by(date(2026, 12, 1)), date(2027, 1, 20));
    /// ```
    pub fn default_ship_by(self, ordered: Date) -> Date {
        let days = match self {
            Self::MerchantCredit => DEFAULT_SHIP_DAYS_ON_CREDIT,
            Self::Card | Self::Other => DEFAULT_SHIP_DAYS,
        };
        ordered.saturating_add(days.days())
    }

    /// The last day to refund an order cancelled on `cancelled`.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::order::ftc::PaymentKind;
    /// use upfront_shared::promise::calendar::BusinessCalendar;
    /// let weekdays = BusinessCalendar::weekdays();
    /// // Cancelled on a Tuesday: 7 working days is the Thursday after next;
    /// // on a Saturday, the Tuesday after next.
    /// assert_eq!(PaymentKind::Card.refund_by(date(2026, 12, 1), &weekdays), date(2026, 12, 10));
    /// assert_eq!(PaymentKind::Card.refund_by(date(2026, 12, 12), &weekdays), date(2026, 12, 22));
    /// assert_eq!(PaymentKind::MerchantCredit.refund_by(date(2026, 12, 1), &weekdays), date(2027, 1, 1));
    /// ```
    pub fn refund_by(self, cancelled: Date, working_days: &BusinessCalendar) -> Date {
        match self {
            Self::MerchantCredit => cancelled.saturating_add(1.month()),
            // The first working day after the cancellation is the first
            // of the seven (`add` counts from its start day when open).
            Self::Card | Self::Other => {
                let next_day = cancelled.tomorrow().unwrap_or(cancelled);
                working_days.add(next_day, REFUND_WORKING_DAYS - 1).0
            }
        }
    }
}

/// Where an order stands against its shipping obligation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Nothing says it will be late.
    OnTime,
    /// An option notice went out; the buyer has not answered.
    Noticed(Notice),
    /// The buyer agreed to ship by `revised` (`None`: no date could be
    /// given), expressly or by a first notice's silence.
    Consented {
        #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
        revised: Option<Date>,
        /// True when silence was taken as consent.
        deemed: bool,
    },
    Shipped,
    Cancelled(Cancellation),
}

/// An option notice awaiting the buyer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Notice {
    /// The revised ship date it gave; `None`: it said none can be given.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub revised: Option<Date>,
    /// A renewed notice (a revised date missed): silence never consents.
    pub renewed: bool,
    /// Silence until this date passes is consent (first notices of a delay
    /// of at most 30 days only).
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub silence_consents_after: Option<Date>,
    /// Without express consent, the order is cancelled on this date.
    #[cfg_attr(feature = "openapi", schemars(with = "Option<String>", extend("format" = "date")))]
    pub cancel_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Cancellation {
    pub by: CancelledBy,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub on: Date,
    /// The last day of the prompt-refund window.
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub refund_by: Date,
    pub refunded: bool,
    /// The merchant was told the refund is overdue (once).
    pub overdue_reported: bool,
}

/// Who called an order off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Buyer,
    Merchant,
    /// The rule: no express consent to a delay that needed it.
    NoConsent,
}

/// One order's obligation: the date it must ship by, and its stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Obligation {
    /// The last day to ship, as promised (or implied by the rule).
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date")))]
    pub ship_by: Date,
    pub payment: PaymentKind,
    /// Option notices sent so far (first and renewed).
    pub notices: u32,
    #[serde(flatten)]
    pub stage: Stage,
}

/// What happened to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The watcher's look at the order (on every change that may move it,
    /// and daily): the earliest day it can now ship, `None` when nobody can
    /// say. Also where dates that passed take effect.
    Check {
        can_ship: Option<Date>,
    },
    /// Only the dates that passed take effect (before a buyer's answer or
    /// a merchant's step, so that none acts on a stage the rule ended).
    Tick,
    /// The buyer agreed to the delay (the notice's consent link).
    Consent,
    /// The buyer called the order off (the notice's cancel link).
    BuyerCancels,
    MerchantCancels,
    Shipped,
    /// The merchant refunded a cancelled order.
    Refunded,
}

/// What the merchant (the edge, for it) must do after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send an option notice: the buyer's email, and `order.delayed`.
    Notify(Notice),
    /// `order.consented`.
    Consented { deemed: bool },
    /// `order.cancelled`, then `order.refund_due` with its deadline.
    Cancelled(Cancellation),
    /// `order.shipped`.
    Shipped,
    /// The refund is past its deadline: tell the merchant (once).
    RefundOverdue { refund_by: Date },
}

/// An event the order's stage does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Shipped or cancelled already, or (consent) nothing to consent to.
    Settled,
    /// A buyer may cancel only while a notice waits for an answer, or after
    /// agreeing to an indefinite delay.
    NotCancellable,
    /// Refunded only once, and only a cancelled order.
    NotRefundable,
}

impl Obligation {
    /// A new order, due to ship by `ship_by`.
    pub fn new(ship_by: Date, payment: PaymentKind) -> Self {
        Self {
            ship_by,
            payment,
            notices: 0,
            stage: Stage::OnTime,
        }
    }

    /// The date the order is now due to ship by, if it has one: the
    /// original, or the revised date the buyer agreed to.
    pub fn due(&self) -> Option<Date> {
        match &self.stage {
            Stage::OnTime => Some(self.ship_by),
            Stage::Noticed(notice) => notice.revised.or(Some(self.ship_by)),
            Stage::Consented { revised, .. } => *revised,
            Stage::Shipped | Stage::Cancelled(_) => None,
        }
    }

    /// Whether the buyer can answer a notice now (the order page's buttons).
    pub fn awaiting_answer(&self) -> bool {
        matches!(self.stage, Stage::Noticed(_))
    }

    /// Whether the buyer may cancel now.
    pub fn buyer_may_cancel(&self) -> bool {
        matches!(
            self.stage,
            Stage::Noticed(_) | Stage::Consented { revised: None, .. }
        )
    }

    /// The order after `event` on `today`, and what to do about it.
    pub fn step(
        &self,
        event: Event,
        today: Date,
        working_days: &BusinessCalendar,
    ) -> Result<(Obligation, Vec<Action>), Refusal> {
        let mut next = self.clone();
        let mut actions = Vec::new();
        match event {
            Event::Check { can_ship } => {
                next.pass_dates(today, working_days, &mut actions);
                next.foresee(can_ship, today, &mut actions);
            }
            Event::Tick => next.pass_dates(today, working_days, &mut actions),
            Event::Consent => {
                let Stage::Noticed(notice) = &self.stage else {
                    return Err(Refusal::Settled);
                };
                next.stage = Stage::Consented {
                    revised: notice.revised,
                    deemed: false,
                };
                actions.push(Action::Consented { deemed: false });
            }
            Event::BuyerCancels | Event::MerchantCancels => {
                let by = if event == Event::BuyerCancels {
                    if !self.buyer_may_cancel() {
                        return Err(self.refusal_or(Refusal::NotCancellable));
                    }
                    CancelledBy::Buyer
                } else {
                    if matches!(self.stage, Stage::Shipped | Stage::Cancelled(_)) {
                        return Err(Refusal::Settled);
                    }
                    CancelledBy::Merchant
                };
                next.cancel(by, today, working_days, &mut actions);
            }
            Event::Shipped => {
                if matches!(self.stage, Stage::Shipped | Stage::Cancelled(_)) {
                    return Err(Refusal::Settled);
                }
                next.stage = Stage::Shipped;
                actions.push(Action::Shipped);
            }
            Event::Refunded => match &mut next.stage {
                Stage::Cancelled(c) if !c.refunded => c.refunded = true,
                _ => return Err(Refusal::NotRefundable),
            },
        }
        Ok((next, actions))
    }

    fn refusal_or(&self, otherwise: Refusal) -> Refusal {
        if matches!(self.stage, Stage::Shipped | Stage::Cancelled(_)) {
            Refusal::Settled
        } else {
            otherwise
        }
    }

    fn cancel(
        &mut self,
        by: CancelledBy,
        today: Date,
        working_days: &BusinessCalendar,
        actions: &mut Vec<Action>,
    ) {
        let cancellation = Cancellation {
            by,
            on: today,
            refund_by: self.payment.refund_by(today, working_days),
            refunded: false,
            overdue_reported: false,
        };
        self.stage = Stage::Cancelled(cancellation.clone());
        actions.push(Action::Cancelled(cancellation));
    }

    /// Dates that passed: silence that became consent, consent that never
    /// came, a refund not made in time.
    fn pass_dates(
        &mut self,
        today: Date,
        working_days: &BusinessCalendar,
        actions: &mut Vec<Action>,
    ) {
        match &mut self.stage {
            Stage::Noticed(notice) => {
                if notice.silence_consents_after.is_some_and(|d| today > d) {
                    self.stage = Stage::Consented {
                        revised: notice.revised,
                        deemed: true,
                    };
                    actions.push(Action::Consented { deemed: true });
                } else if notice.cancel_on.is_some_and(|d| today >= d) {
                    self.cancel(CancelledBy::NoConsent, today, working_days, actions);
                }
            }
            Stage::Cancelled(c) if !c.refunded && !c.overdue_reported && today > c.refund_by => {
                c.overdue_reported = true;
                actions.push(Action::RefundOverdue {
                    refund_by: c.refund_by,
                });
            }
            _ => {}
        }
    }

    /// A notice when the order can no longer ship by the date it is due:
    /// one per date missed, however often the watcher looks.
    fn foresee(&mut self, can_ship: Option<Date>, today: Date, actions: &mut Vec<Action>) {
        let Some(due) = self.due() else {
            return; // settled, or agreed to wait with no date
        };
        // A notice whose date is unknown cannot be missed: nothing renews it.
        if matches!(&self.stage, Stage::Noticed(n) if n.revised.is_none()) {
            return;
        }
        if can_ship.is_some_and(|d| d <= due) {
            return;
        }
        let revised = can_ship.map(|d| d.max(today));
        let notice = match &self.stage {
            Stage::OnTime => {
                let silent_limit = self.ship_by.saturating_add(SILENT_CONSENT_DAYS.days());
                // A notice that comes after the original date (the delay
                // showed only then) leaves no time to object: silence is
                // then never consent, and the buyer has a week at least.
                let late = today > self.ship_by;
                let silence_ok = !late && revised.is_some_and(|r| r <= silent_limit);
                let answer_days = LATE_NOTICE_ANSWER_DAYS.days();
                Notice {
                    revised,
                    renewed: false,
                    silence_consents_after: silence_ok.then_some(self.ship_by),
                    cancel_on: (!silence_ok)
                        .then(|| silent_limit.max(today.saturating_add(answer_days))),
                }
            }
            // The date the buyer agreed to (or was told) is missed: only
            // express consent by its end keeps the order, and a renewal
            // never moves a cancellation already due later.
            Stage::Noticed(_) | Stage::Consented { .. } => {
                let end = due.max(today).saturating_add(1.day());
                let earlier = match &self.stage {
                    Stage::Noticed(n) => n.cancel_on,
                    _ => None,
                };
                Notice {
                    revised,
                    renewed: true,
                    silence_consents_after: None,
                    cancel_on: Some(earlier.map_or(end, |e| e.min(end))),
                }
            }
            Stage::Shipped | Stage::Cancelled(_) => return,
        };
        self.notices += 1;
        self.stage = Stage::Noticed(notice.clone());
        actions.push(Action::Notify(notice));
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn weekdays() -> BusinessCalendar {
        BusinessCalendar::weekdays()
    }

    fn run(o: &Obligation, event: Event, today: Date) -> (Obligation, Vec<Action>) {
        o.step(event, today, &weekdays()).expect("allowed")
    }

    const DEC1: Date = date(2026, 12, 1);
    const DEC10: Date = date(2026, 12, 10);

    #[test]
    fn an_order_on_time_gets_nothing_however_often_it_is_checked() {
        let mut o = Obligation::new(DEC10, PaymentKind::Card);
        for day in 1..=10 {
            let (next, actions) = run(
                &o,
                Event::Check {
                    can_ship: Some(DEC10),
                },
                date(2026, 12, day),
            );
            assert!(actions.is_empty());
            o = next;
        }
        let (o, actions) = run(&o, Event::Shipped, DEC10);
        assert_eq!(actions, vec![Action::Shipped]);
        assert_eq!(o.stage, Stage::Shipped);
    }

    #[test]
    fn a_short_delay_is_noticed_once_and_silence_consents_after_the_original_date() {
        let o = Obligation::new(DEC10, PaymentKind::Card);
        let late = Event::Check {
            can_ship: Some(date(2026, 12, 20)),
        };
        let (o, actions) = run(&o, late, DEC1);
        let notice = Notice {
            revised: Some(date(2026, 12, 20)),
            renewed: false,
            silence_consents_after: Some(DEC10),
            cancel_on: None,
        };
        assert_eq!(actions, vec![Action::Notify(notice)]);
        let (o, again) = run(&o, late, date(2026, 12, 2));
        assert!(again.is_empty(), "one notice per breach");
        let (o, quiet) = run(&o, late, DEC10);
        assert!(quiet.is_empty(), "the buyer has all of the original date");
        let (o, deemed) = run(&o, late, date(2026, 12, 11));
        assert_eq!(deemed, vec![Action::Consented { deemed: true }]);
        assert_eq!(o.due(), Some(date(2026, 12, 20)));
    }

    #[test]
    fn a_long_delay_without_an_answer_is_cancelled_thirty_days_after_the_original_date() {
        let o = Obligation::new(DEC10, PaymentKind::Card);
        let late = Event::Check {
            can_ship: Some(date(2027, 1, 24)),
        }; // 45 days late
        let (mut o, actions) = run(&o, late, DEC1);
        assert!(
            matches!(&actions[..], [Action::Notify(n)] if n.silence_consents_after.is_none()
            && n.cancel_on == Some(date(2027, 1, 9)))
        );
        for day in 0..40 {
            let today = date(2026, 12, 2).saturating_add(day.days());
            let (next, actions) = run(&o, late, today);
            o = next;
            if today < date(2027, 1, 9) {
                assert!(actions.is_empty(), "{today}");
            } else {
                assert!(
                    matches!(&actions[..], [Action::Cancelled(c)] if c.by == CancelledBy::NoConsent
                    && c.refund_by == date(2027, 1, 19)),
                    "{today}: {actions:?}"
                );
                break;
            }
        }
        assert!(matches!(o.stage, Stage::Cancelled(_)));
    }

    #[test]
    fn a_missed_revised_date_gets_a_renewed_notice_before_it_passes_and_needs_express_consent() {
        let o = Obligation::new(DEC10, PaymentKind::Card);
        let (o, _) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 20)),
            },
            DEC1,
        );
        let (o, _) = run(&o, Event::Consent, date(2026, 12, 2));
        let (o, renewed) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 28)),
            },
            date(2026, 12, 15),
        );
        let notice = Notice {
            revised: Some(date(2026, 12, 28)),
            renewed: true,
            silence_consents_after: None,
            cancel_on: Some(date(2026, 12, 21)),
        };
        assert_eq!(renewed, vec![Action::Notify(notice)]);
        assert_eq!(o.notices, 2);
        let (o, none) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 28)),
            },
            date(2026, 12, 20),
        );
        assert!(none.is_empty());
        let (_, cancelled) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 28)),
            },
            date(2026, 12, 21),
        );
        assert!(matches!(&cancelled[..], [Action::Cancelled(c)] if c.by == CancelledBy::NoConsent));
    }

    #[test]
    fn no_date_at_all_says_so_and_an_indefinite_wait_stays_cancellable() {
        let o = Obligation::new(DEC10, PaymentKind::Other);
        let (o, actions) = run(&o, Event::Check { can_ship: None }, DEC1);
        assert!(
            matches!(&actions[..], [Action::Notify(n)] if n.revised.is_none() && n.silence_consents_after.is_none())
        );
        let (o, again) = run(&o, Event::Check { can_ship: None }, date(2026, 12, 3));
        assert!(again.is_empty());
        let (o, _) = run(&o, Event::Consent, date(2026, 12, 4));
        assert!(o.buyer_may_cancel());
        let (o, actions) = run(&o, Event::Check { can_ship: None }, date(2027, 3, 1));
        assert!(
            actions.is_empty(),
            "an agreed indefinite wait is never cancelled for the buyer"
        );
        let (o, cancelled) = run(&o, Event::BuyerCancels, date(2027, 3, 2));
        assert!(matches!(&cancelled[..], [Action::Cancelled(c)] if c.by == CancelledBy::Buyer));
        assert_eq!(
            o.step(Event::Shipped, date(2027, 3, 3), &weekdays()),
            Err(Refusal::Settled)
        );
    }

    #[test]
    fn an_overdue_refund_is_reported_once_and_a_refund_settles_it() {
        let o = Obligation::new(DEC10, PaymentKind::Card);
        let (o, _) = run(&o, Event::MerchantCancels, DEC1);
        let check = Event::Check {
            can_ship: Some(DEC10),
        };
        let (o, none) = run(&o, check, DEC10);
        assert!(none.is_empty(), "Dec 10 is the 7th working day");
        let (o, overdue) = run(&o, check, date(2026, 12, 11));
        assert_eq!(overdue, vec![Action::RefundOverdue { refund_by: DEC10 }]);
        let (o, once) = run(&o, check, date(2026, 12, 12));
        assert!(once.is_empty());
        let (o, _) = run(&o, Event::Refunded, date(2026, 12, 12));
        assert_eq!(
            o.step(Event::Refunded, date(2026, 12, 12), &weekdays()),
            Err(Refusal::NotRefundable)
        );
    }

    #[test]
    fn a_buyer_cannot_cancel_an_order_on_time_or_consented_to_a_date() {
        let o = Obligation::new(DEC10, PaymentKind::Card);
        assert_eq!(
            o.step(Event::BuyerCancels, DEC1, &weekdays()),
            Err(Refusal::NotCancellable)
        );
        let (o, _) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 20)),
            },
            DEC1,
        );
        let (o, _) = run(&o, Event::Consent, DEC1);
        assert_eq!(
            o.step(Event::BuyerCancels, DEC1, &weekdays()),
            Err(Refusal::NotCancellable)
        );
        assert_eq!(
            o.step(Event::Consent, DEC1, &weekdays()),
            Err(Refusal::Settled)
        );
    }

    #[test]
    fn the_obligation_round_trips_as_stored() {
        let o = Obligation::new(DEC10, PaymentKind::MerchantCredit);
        let (o, _) = run(
            &o,
            Event::Check {
                can_ship: Some(date(2026, 12, 20)),
            },
            DEC1,
        );
        let json = serde_json::to_string(&o).expect("json");
        assert!(json.contains(r#""stage":"noticed""#), "{json}");
        assert_eq!(serde_json::from_str::<Obligation>(&json).expect("parse"), o);
    }

    mod properties {
        use jiff::civil::Weekday;
        use proptest::prelude::*;

        use super::*;

        /// One thing that happens on a day: how many days pass first, and
        /// the event (checks are most of them, as in the store).
        fn happening() -> impl Strategy<Value = (u8, Event)> {
            let check = prop_oneof![
                Just(None),
                (0i32..80).prop_map(|d| Some(date(2026, 12, 1).saturating_add(d.days()))),
            ]
            .prop_map(|can_ship| Event::Check { can_ship });
            let event = prop_oneof![
                6 => check,
                1 => Just(Event::Tick),
                1 => Just(Event::Consent),
                1 => Just(Event::BuyerCancels),
                1 => Just(Event::MerchantCancels),
                1 => Just(Event::Shipped),
                1 => Just(Event::Refunded),
            ];
            (0u8..6, event)
        }

        fn payment() -> impl Strategy<Value = PaymentKind> {
            prop_oneof![
                Just(PaymentKind::Card),
                Just(PaymentKind::Other),
                Just(PaymentKind::MerchantCredit)
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn every_path_keeps_the_rule(
                ship_in in 0i32..40,
                payment in payment(),
                history in proptest::collection::vec(happening(), 1..40),
            ) {
                let cal = BusinessCalendar::weekdays();
                let mut today = date(2026, 12, 1);
                let mut o = Obligation::new(today.saturating_add(ship_in.days()), payment);
                let silent_limit = o.ship_by.saturating_add(SILENT_CONSENT_DAYS.days());
                let mut first_notices = 0;
                let mut notify_actions = 0;
                let mut overdue_reports = 0;
                let mut renewed_since_consent = false;
                // The buyer's consent stands until a renewed notice asks again.
                let mut consented = false;
                for (days, event) in history {
                    today = today.saturating_add(i32::from(days).days());
                    let before = o.clone();
                    let Ok((next, actions)) = o.step(event, today, &cal) else {
                        continue;
                    };
                    for action in &actions {
                        match action {
                            Action::Notify(n) => {
                                notify_actions += 1;
                                if !n.renewed {
                                    first_notices += 1;
                                }
                                if n.renewed {
                                    renewed_since_consent = true;
                                    consented = false;
                                    prop_assert_eq!(n.silence_consents_after, None, "silence after a renewed notice");
                                }
                                if let Some(after) = n.silence_consents_after {
                                    // Silence consents only to a first delay of at most 30 days.
                                    prop_assert!(n.revised.is_some_and(|r| r <= silent_limit), "{:?}", n);
                                    prop_assert!(after >= today, "silence from the past: {:?}", n);
                                } else {
                                    prop_assert!(n.cancel_on.is_some(), "neither consent nor cancellation: {:?}", n);
                                }
                            }
                            Action::Consented { deemed } => {
                                if *deemed {
                                    prop_assert!(!renewed_since_consent, "silence taken as consent after a renewed notice");
                                    let Stage::Noticed(n) = &before.stage else {
                                        return Err(TestCaseError::fail("deemed consent without a notice"));
                                    };
                                    prop_assert!(n.revised.is_some_and(|r| r <= silent_limit));
                                }
                                renewed_since_consent = false;
                                consented = true;
                            }
                            Action::Cancelled(c) => {
                                if c.by == CancelledBy::NoConsent {
                                    prop_assert!(!consented, "cancelled a consented order");
                                    prop_assert!(!matches!(before.stage, Stage::Consented { .. }), "cancelled a consented order");
                                    prop_assert!(matches!(before.stage, Stage::Noticed(_)));
                                }
                                prop_assert_eq!(c.refund_by, payment.refund_by(today, &cal));
                                // Counted afresh: 7 working days after the cancellation, or a month.
                                let days = (c.refund_by - today).get_days();
                                if payment == PaymentKind::MerchantCredit {
                                    prop_assert!((28..=31).contains(&days), "{} days", days);
                                } else {
                                    let worked = (1..=days)
                                        .filter(|d| !matches!(today.saturating_add(d.days()).weekday(), Weekday::Saturday | Weekday::Sunday))
                                        .count();
                                    prop_assert_eq!(worked, 7, "{} to {}", today, c.refund_by);
                                    prop_assert!(!matches!(c.refund_by.weekday(), Weekday::Saturday | Weekday::Sunday));
                                }
                            }
                            Action::RefundOverdue { refund_by } => {
                                overdue_reports += 1;
                                prop_assert!(today > *refund_by);
                            }
                            Action::Shipped => {}
                        }
                    }
                    // A foreseen miss is noticed in the very step that foresaw it,
                    // before the date it misses.
                    if let (Event::Check { can_ship }, Some(due)) = (event, before.due()) {
                        let dated = !matches!(&before.stage, Stage::Noticed(n) if n.revised.is_none());
                        let still_open = matches!(next.stage, Stage::OnTime | Stage::Noticed(_) | Stage::Consented { .. });
                        let unchanged_by_dates = std::mem::discriminant(&before.stage) == std::mem::discriminant(&next.stage)
                            || matches!(next.stage, Stage::Noticed(_));
                        if dated && still_open && unchanged_by_dates && can_ship.is_none_or(|d| d > due) && today <= due {
                            prop_assert!(actions.iter().any(|a| matches!(a, Action::Notify(_))),
                                "missed {:?} foreseen on {} without a notice: {:?}", due, today, before);
                        }
                    }
                    // An overdue refund is reported, once, at the first look past its day.
                    if let (Stage::Cancelled(c), Event::Check { .. } | Event::Tick) = (&before.stage, event)
                        && !c.refunded
                        && !c.overdue_reported
                        && today > c.refund_by
                    {
                        let report = Action::RefundOverdue { refund_by: c.refund_by };
                        prop_assert!(actions.contains(&report), "no overdue report: {:?}", actions);
                    }
                    o = next;
                }
                prop_assert!(first_notices <= 1, "{} first notices", first_notices);
                prop_assert_eq!(o.notices, notify_actions);
                prop_assert!(overdue_reports <= 1);
            }
        }
    }
}
