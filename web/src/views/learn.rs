//! The course panel: where the course stands (chapter, page, a list of chapters), the page (a step's text, a
//! question and its reveal, an exercise with its live grade, hints and Retry), misconceptions with the run
//! that disproves each, and Back / Next always in the same place at the bottom.

use crate::learn::{Answer, Learn};
use crate::sim::Sim;
use leptos::prelude::*;
use raft_core::course::Page;

#[component]
pub fn LearnCard(sim: Sim, learn: Learn) -> impl IntoView {
    let progress = move || {
        let (ch, page) = learn.at.get();
        learn.course.with(|c| {
            let c = c.as_ref()?;
            let chapter = c.chapters.get(ch)?;
            Some((ch + 1, c.chapters.len(), chapter.title.clone(), page + 1, chapter.pages(), chapter.steps.len()))
        })
    };
    let has_prev = move || {
        let (ch, page) = learn.at.get();
        learn.course.with(|_| learn.prev_of(ch, page).is_some())
    };
    let has_next = move || {
        let (ch, page) = learn.at.get();
        learn.course.with(|_| learn.next_of(ch, page).is_some())
    };
    view! {
        <section class="card learn-card" id="learn" aria-label="Course" aria-live="polite">
            <div class="learn-head">
                <button class="learn-chapter" id="learn-outline" aria-expanded=move || learn.outline.get().to_string()
                    on:click=move |_| learn.outline.update(|o| *o = !*o)>
                    {move || progress().map(|(ch, n, title, ..)| format!("Chapter {ch} of {n}: {title} ▾"))
                        .unwrap_or_else(|| "The course ▾".into())}
                </button>
                <span class="learn-page" id="learn-progress">
                    {move || progress().map(|(.., page, pages, steps)| if page > steps {
                        format!("exercise {} of {} · page {page} of {pages}", page - steps, pages - steps)
                    } else {
                        format!("page {page} of {pages}")
                    })}
                </span>
                <button class="learn-leave" id="learn-leave" title="Keep the cluster as it is and play with it; Learn brings you back"
                    aria-label="Leave the course" on:click=move |_| learn.leave(sim)><span aria-hidden="true">"✕ "</span>"Leave"</button>
            </div>
            <Show when=move || learn.outline.get()>
                <Outline sim=sim learn=learn />
            </Show>
            <div class="learn-body">
                {move || learn.error.get().map(|e| view! { <p class="error" id="learn-error">{e}</p> })}
                {move || learn.busy.get().then(|| view! { <p class="muted">"Loading…"</p> })}
                {move || learn.with_page(|c, ch, p| match p {
                    Page::Step(s) => view! { <StepView sim=sim learn=learn step=s.clone() /> }.into_any(),
                    Page::Exercise(e) => {
                        let myths: Vec<_> = c.chapters[ch].misconceptions.iter()
                            .filter_map(|id| c.misconception(id).cloned()).collect();
                        view! { <ExerciseView sim=sim learn=learn ex=e.clone() myths=myths /> }.into_any()
                    }
                })}
            </div>
            <nav class="learn-nav" aria-label="Course pages">
                <button id="learn-back" on:click=move |_| learn.back(sim) disabled=move || { !has_prev() }
                    title="Previous page (← or Page Up)">"← Back"</button>
                <button id="learn-next" class="primary" on:click=move |_| learn.next(sim) disabled=move || { !has_next() }
                    title="Next page (→, Page Down or Space)">"Next →"</button>
            </nav>
        </section>
    }
}

#[component]
fn Outline(sim: Sim, learn: Learn) -> impl IntoView {
    let chapters = move || {
        learn.course.with(|c| {
            c.as_ref().map(|c| {
                c.chapters
                    .iter()
                    .map(|ch| (ch.title.clone(), ch.steps.len(), ch.exercises.len(), chapter_minutes(ch)))
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <ol class="learn-outline" id="learn-chapters">
            {move || chapters().unwrap_or_default().into_iter().enumerate().map(|(i, (title, steps, exercises, minutes))| {
                let current = move || learn.at.get().0 == i;
                view! {
                    <li>
                        <button class="link" aria-current=move || current().then_some("step")
                            on:click=move |_| learn.go(sim, i, 0)>{title}</button>
                        <span class="muted">{format!(" {steps} steps, {exercises} exercise{}, about {minutes} min", if exercises == 1 { "" } else { "s" })}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// Reading time per step and per exercise, for the outline's "about N min" (what a visitor asks first).
const READ_S_PER_STEP: f64 = 15.0;
const S_PER_EXERCISE: f64 = 90.0;

/// A chapter's length on screen: reading, each step's run at its speed, and its exercises.
fn chapter_minutes(ch: &raft_core::course::Chapter) -> u32 {
    let steps: f64 = ch
        .steps
        .iter()
        .map(|s| {
            let played_ms = s.until_ms.map_or(0.0, |u| u - s.at_ms);
            READ_S_PER_STEP + played_ms / 1000.0 / s.speed.unwrap_or(crate::sim::SPEED_DEFAULT)
        })
        .sum();
    ((steps + S_PER_EXERCISE * ch.exercises.len() as f64) / 60.0).ceil() as u32
}

#[component]
fn StepView(sim: Sim, learn: Learn, step: raft_core::course::Step) -> impl IntoView {
    let replay = move |_| {
        let (ch, page) = learn.at.get_untracked();
        learn.go(sim, ch, page);
    };
    let until = step.until_ms;
    let question = step.question.clone();
    view! {
        <p class="learn-text" id="learn-text">{step.text.clone()}</p>
        {question.map(|q| view! { <QuestionView sim=sim learn=learn q=q /> })}
        <p class="learn-aside">
            {until.map(|u| view! {
                <span class="muted">{move || if sim.playing.get() && sim.stop_at_us.get().is_some() {
                    format!("Playing to {:.2} s…", u / 1000.0)
                } else {
                    String::new()
                }}</span>
            })}
            <button class="link" id="learn-replay" on:click=replay>"Show this step again"</button>
        </p>
    }
}

#[component]
fn QuestionView(sim: Sim, learn: Learn, q: raft_core::course::Question) -> impl IntoView {
    let choices = q.choices.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    let explain = q.explain.clone();
    let reveal_s = q.reveal_ms / 1000.0;
    let verdict = move || {
        learn.answer.get().and_then(|Answer { chosen, right }| right.map(|r| r.get(chosen).copied().unwrap_or(false)))
    };
    let room = RwSignal::new(false);
    view! {
        <div class="question" class:room=move || room.get() id="question" role="group" aria-labelledby="question-prompt"
            on:keydown=move |ev| if ev.key() == "Escape" { room.set(false) }>
            <button class="link room-toggle" id="question-room" aria-pressed=move || room.get().to_string()
                on:click=move |_| room.update(|r| *r = !*r)>
                {move || if room.get() { "Back to the page (Esc)" } else { "Show to the room" }}</button>
            <p class="question-prompt" id="question-prompt"><strong>"Predict: "</strong>{q.prompt.clone()}</p>
            <div class="choices">
                {choices.into_iter().enumerate().map(|(i, text)| {
                    let state = move || learn.answer.get().map(|a| {
                        let chosen = a.chosen == i;
                        match a.right.as_ref().map(|r| r[i]) {
                            Some(true) => "choice right",
                            Some(false) if chosen => "choice wrong",
                            _ if chosen => "choice chosen",
                            _ => "choice",
                        }
                    }).unwrap_or("choice");
                    view! {
                        <button class=state data-choice=i.to_string()
                            aria-pressed=move || learn.answer.get().is_some_and(|a| a.chosen == i).to_string()
                            disabled=move || learn.answer.get().is_some()
                            on:click=move |_| learn.choose(sim, i)>{text}</button>
                    }
                }).collect_view()}
            </div>
            {move || match (learn.answer.get(), verdict()) {
                (None, _) => view! { <p class="muted">{format!("Choose, then the run plays on to {reveal_s:.1} s and shows who was right.")}</p> }.into_any(),
                (Some(_), None) => view! { <p class="muted" id="question-wait">{format!("Watching the run to {reveal_s:.1} s…")}</p> }.into_any(),
                (Some(_), Some(ok)) => view! {
                    <p class=if ok { "verdict right" } else { "verdict wrong" } id="question-verdict">
                        <strong>{if ok { "Right. " } else { "Not this time. " }}</strong>{explain.clone()}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn ExerciseView(
    sim: Sim,
    learn: Learn,
    ex: raft_core::course::Exercise,
    myths: Vec<raft_core::course::Misconception>,
) -> impl IntoView {
    let hints = ex.hints.clone();
    let hint_count = hints.len();
    let shown = move || learn.attempt.with(|a| a.as_ref().map_or(0, |a| a.hints));
    let more_hint = move |_| {
        learn.attempt.update(|a| {
            if let Some(a) = a {
                a.hints = (a.hints + 1).min(hint_count);
            }
        })
    };
    view! {
        <h2 class="exercise-title">"Exercise: "{ex.title.clone()}</h2>
        <p class="learn-text" id="exercise-task">{ex.task.clone()}</p>
        {(!ex.forbid.is_empty()).then(|| view! {
            <p class="muted exercise-forbid">"Not allowed: "{ex.forbid.iter().map(|f| f.replace('_', " ")).collect::<Vec<_>>().join(", ")}</p>
        })}
        {move || learn.attempt.get().map(|a| view! {
            <p class=if a.solved { "grade solved" } else if a.grade.failed { "grade failed" } else { "grade" }
                id="exercise-grade" role="status">
                <strong>{if a.solved { "✓ Solved. " } else if a.grade.failed { "This attempt cannot work. " } else { "Not yet. " }}</strong>
                {a.grade.feedback}
            </p>
        })}
        <ul class="hints" id="hints">
            {move || hints.iter().take(shown()).map(|h| view! { <li>{h.clone()}</li> }).collect_view()}
        </ul>
        <p class="exercise-actions">
            <button id="exercise-hint" on:click=more_hint disabled=move || { shown() >= hint_count }>"Hint"</button>
            <button id="exercise-retry" on:click=move |_| learn.retry(sim)>"Start again"</button>
        </p>
        {(!myths.is_empty()).then(|| view! {
            <div class="myths">
                <h3>"Common misconceptions"</h3>
                <ul>
                    {myths.into_iter().map(|m| {
                        let id = m.id.clone();
                        let shown = { let id = id.clone(); move || learn.myth.get().is_some_and(|s| s.id == id) };
                        view! {
                            <li data-myth=m.id.clone()>
                                <span>"“"{m.claim.clone()}"” "</span>
                                <button class="link" on:click=move |_| learn.show_myth(sim, &id)>"Show the run that disproves it"</button>
                                <Show when=shown.clone()><p class="myth-truth">{m.truth.clone()}</p></Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}
