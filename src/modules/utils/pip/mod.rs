//! What the `pip` module knows about pip: PEP 440 versions, requirement
//! strings and pip's own output (installed packages, planned installs).

pub(crate) mod packages;
pub(crate) mod requirement;
pub(crate) mod version;
