//! What `build --out` cannot do: delete what Plenary did not write, publish half a site, write one path twice.
