//! Text naming nodes, laid out so that a line never breaks inside a range of ids: on a phone the split banner
//! broke "S31–S51" after its dash, which then read as two names on two lines.

use leptos::prelude::*;

/// `text` as it is, each space-separated word that holds a range ("S31–S51}") kept on one line; the words
/// between stay one text node.
pub fn keep_ranges_whole(text: &str) -> impl IntoView {
    let mut parts: Vec<AnyView> = Vec::new();
    let mut plain = String::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            plain.push(' ');
        }
        if word.contains('–') {
            parts.push(std::mem::take(&mut plain).into_any());
            parts.push(view! { <span class="nobr">{word.to_string()}</span> }.into_any());
        } else {
            plain.push_str(word);
        }
    }
    parts.push(plain.into_any());
    parts
}
