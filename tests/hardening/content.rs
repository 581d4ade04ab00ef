//! What hostile content cannot do: quadratic inputs, script from members, special files, links and Fluent loops.
