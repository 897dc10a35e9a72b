//! Typed row ids, so an account id is never passed where a run id belongs. Each wraps the
//! SQLite `INTEGER PRIMARY KEY` of its table; serde, sqlx and specta see the bare integer.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $ty(pub i64);

        impl $ty {
            /// The bare integer, for SQL binds and logs.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $ty {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$ty> for i64 {
            fn from(id: $ty) -> i64 {
                id.0
            }
        }

        impl PartialEq<i64> for $ty {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

row_id!(
    /// `accounts.id`: the store's own id of an account.
    AccountId
);
row_id!(
    /// `collection_runs.id`.
    RunId
);
row_id!(
    /// `campaigns.id`.
    CampaignId
);
row_id!(
    /// `posts.id`: the store's own id of a post (not the platform's post id).
    PostId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_bare_integers() {
        assert_eq!(serde_json::to_string(&AccountId(7)).ok().as_deref(), Some("7"));
        assert_eq!(serde_json::from_str::<RunId>("42").ok(), Some(RunId(42)));
        assert_eq!(CampaignId::from(3).get(), 3);
        assert_eq!(PostId(5).to_string(), "5");
    }
}
