//! Finds Fluent messages and terms that refer to themselves, directly or through others: Fluent cannot format them and shows the reference in their place.

use std::collections::HashMap;

use fluent_syntax::ast;

use crate::diag::{Diagnostic, Position};
use crate::i18n::FtlFile;

/// A message, a term or one of their attributes (`a`, `-brand`, `a.title`), as references
/// name it, with the references its text makes.
struct Node<'a> {
    name: String,
    /// Each reference: the node it names, the file it is in and where (a byte offset).
    refs: Vec<(String, &'a FtlFile, usize)>,
}

/// An error at the reference that closes each loop among the messages of one language's
/// files (a later file's message replaces an earlier one's, as in the bundle).
pub fn of_language<'a>(files: impl Iterator<Item = &'a FtlFile>) -> Vec<Diagnostic> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for file in files {
        let resource = match fluent_syntax::parser::parse(file.text.as_str()) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        for entry in &resource.body {
            let (prefix, id, value, attributes) = match entry {
                ast::Entry::Message(m) => ("", m.id.name, m.value.as_ref(), &m.attributes),
                ast::Entry::Term(t) => ("-", t.id.name, Some(&t.value), &t.attributes),
                _ => continue,
            };
            let mut define = |name: String, pattern: Option<&ast::Pattern<&str>>| {
                let mut refs = Vec::new();
                if let Some(pattern) = pattern {
                    pattern_refs(pattern, file, &mut refs);
                }
                match index.get(&name) {
                    Some(&i) => nodes[i].refs = refs,
                    None => {
                        index.insert(name.clone(), nodes.len());
                        nodes.push(Node { name, refs });
                    }
                }
            };
            define(format!("{prefix}{id}"), value);
            for attribute in attributes {
                define(
                    format!("{prefix}{id}.{}", attribute.id.name),
                    Some(&attribute.value),
                );
            }
        }
    }
    find_loops(&nodes, &index)
}

/// A depth-first walk of the references, without recursion (a chain of a thousand messages
/// must not overflow the stack): a reference back to a node on the walk's path closes a loop.
fn find_loops(nodes: &[Node], index: &HashMap<String, usize>) -> Vec<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; nodes.len()];
    let mut diags = Vec::new();
    for start in 0..nodes.len() {
        if state[start] != State::New {
            continue;
        }
        // Each node on the path, with the next of its references to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = State::OnPath;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some((target, file, offset)) = nodes[node].refs.get(*next) else {
                state[node] = State::Done;
                path.pop();
                continue;
            };
            *next += 1;
            let Some(&target) = index.get(target) else {
                continue;
            };
            match state[target] {
                State::New => {
                    state[target] = State::OnPath;
                    path.push((target, 0));
                }
                State::OnPath => {
                    let from = path.iter().position(|&(n, _)| n == target).unwrap_or(0);
                    let names: Vec<&str> = path[from..]
                        .iter()
                        .map(|&(n, _)| nodes[n].name.as_str())
                        .collect();
                    diags.push(loop_diagnostic(&names, file, *offset));
                }
                State::Done => {}
            }
        }
    }
    diags
}

/// How many names of a loop its error shows.
const SHOWN: usize = 8;

fn loop_diagnostic(names: &[&str], file: &FtlFile, offset: usize) -> Diagnostic {
    let message = match names {
        [one] => format!(
            "{} `{one}` refers to itself",
            if one.starts_with('-') {
                "term"
            } else {
                "message"
            }
        ),
        _ => {
            let mut chain: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            if chain.len() > SHOWN {
                let last = chain.pop().unwrap_or_default();
                chain.truncate(SHOWN - 1);
                chain.push(format!("… ({} in all)", names.len()));
                chain.push(last);
            }
            chain.push(format!("`{}`", names[0]));
            format!(
                "messages refer to each other in a loop: {}",
                chain.join(" → ")
            )
        }
    };
    Diagnostic::error(&file.shown, Position::at(&file.text, offset), message).with_hint(
        "Fluent cannot show a message that contains itself (readers would see `{ name }`): write the text out instead of this reference",
    )
}

/// Where `name` (a slice of `file.text`, as fluent-syntax's parser gives every name) starts.
fn offset_in(file: &FtlFile, name: &str) -> usize {
    (name.as_ptr() as usize)
        .checked_sub(file.text.as_ptr() as usize)
        .filter(|&offset| offset <= file.text.len())
        .unwrap_or(0)
}

fn pattern_refs<'a>(
    pattern: &ast::Pattern<&str>,
    file: &'a FtlFile,
    refs: &mut Vec<(String, &'a FtlFile, usize)>,
) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_refs(expression, file, refs);
        }
    }
}

fn expression_refs<'a>(
    expression: &ast::Expression<&str>,
    file: &'a FtlFile,
    refs: &mut Vec<(String, &'a FtlFile, usize)>,
) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_refs(selector, file, refs);
            for variant in variants {
                pattern_refs(&variant.value, file, refs);
            }
        }
        ast::Expression::Inline(inline) => inline_refs(inline, file, refs),
    }
}

fn inline_refs<'a>(
    inline: &ast::InlineExpression<&str>,
    file: &'a FtlFile,
    refs: &mut Vec<(String, &'a FtlFile, usize)>,
) {
    let attribute_of = |attribute: &Option<ast::Identifier<&str>>| {
        attribute
            .as_ref()
            .map_or_else(String::new, |a| format!(".{}", a.name))
    };
    match inline {
        ast::InlineExpression::MessageReference { id, attribute } => {
            let name = format!("{}{}", id.name, attribute_of(attribute));
            refs.push((name, file, offset_in(file, id.name)));
        }
        ast::InlineExpression::TermReference {
            id,
            attribute,
            arguments,
        } => {
            let name = format!("-{}{}", id.name, attribute_of(attribute));
            refs.push((name, file, offset_in(file, id.name).saturating_sub(1)));
            if let Some(arguments) = arguments {
                arguments_refs(arguments, file, refs);
            }
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            arguments_refs(arguments, file, refs)
        }
        ast::InlineExpression::Placeable { expression } => expression_refs(expression, file, refs),
        _ => {}
    }
}

fn arguments_refs<'a>(
    arguments: &ast::CallArguments<&str>,
    file: &'a FtlFile,
    refs: &mut Vec<(String, &'a FtlFile, usize)>,
) {
    for argument in &arguments.positional {
        inline_refs(argument, file, refs);
    }
    for named in &arguments.named {
        inline_refs(&named.value, file, refs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_loop_is_an_error_where_it_closes() {
        let cases: [(&str, &[&str]); 7] = [
            ("a = A\nb = { a } and { a }\n", &[]),
            (
                "feed = Feed { feed }\n",
                &["i18n/en/main.ftl:1:15: error: message `feed` refers to itself"],
            ),
            (
                "a = { b }\nb = { -t }\n-t = { a }\n",
                &["i18n/en/main.ftl:3:8: error: messages refer to each other in a loop: `a` → `b` → `-t` → `a`"],
            ),
            (
                "-t = { -t.gender ->\n   *[x] { -t }\n}\n",
                &["i18n/en/main.ftl:2:11: error: term `-t` refers to itself"],
            ),
            (
                "a = { a.title }\n    .title = { a }\n",
                &["i18n/en/main.ftl:2:16: error: messages refer to each other in a loop: `a` → `a.title` → `a`"],
            ),
            (
                "a = { $n ->\n    [one] { NUMBER(b) }\n   *[other] x\n}\nb = { a }\n",
                &["i18n/en/main.ftl:5:7: error: messages refer to each other in a loop: `a` → `b` → `a`"],
            ),
            // A message defined again is the later one, as in the bundle.
            ("a = { a }\n\na = A\n", &[]),
        ];
        for (text, expected) in cases {
            let files = crate::i18n::test_files(&[("en", text)]);
            let got: Vec<String> = of_language(files.iter())
                .iter()
                .map(|d| d.to_string().lines().next().unwrap_or_default().to_string())
                .collect();
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let mut text: String = (0..100_000)
            .map(|i| format!("m{i} = {{ m{} }}\n", i + 1))
            .collect();
        text.push_str("m100000 = { m0 }\n");
        let files = crate::i18n::test_files(&[("en", &text)]);
        let diags = of_language(files.iter());
        assert_eq!(diags.len(), 1);
        assert!(diags[0]
            .message
            .starts_with("messages refer to each other in a loop: `m0` → `m1`"));
    }
}
