//! Which methods exist in which revision, for which direction and message kind.
//!
//! The table itself lives on [`Method`]; this adds the message kind and the rule that the
//! 2026 tasks extension's methods count only where the extension is in use.

use crate::jsonrpc::MessageKind;
use crate::types::{Method, Sender};
use crate::validate::Direction;
use crate::version::Era;

/// True when `method` may be sent as a `kind` (request or notification) in `direction`
/// under `era`. `tasks_extension` admits the 2026 tasks extension's methods.
pub fn method_allowed(
    method: &str,
    kind: MessageKind,
    direction: Direction,
    era: Era,
    tasks_extension: bool,
) -> bool {
    let Some(method) = Method::parse(method) else {
        return false;
    };
    let is_notification = match kind {
        MessageKind::Request => false,
        MessageKind::Notification => true,
        MessageKind::Result | MessageKind::Error => return false,
    };
    let sender = match direction {
        Direction::ClientToServer => Sender::Client,
        Direction::ServerToClient => Sender::Server,
    };
    method.is_notification() == is_notification
        && method.sent_by(sender, era)
        && (era == Era::Legacy || !method.is_tasks_extension() || tasks_extension)
}

/// True when the revision's schema requires a `params` member on `method` (even where
/// every member of `params` is optional, as for 2025 `notifications/cancelled`).
pub(crate) fn params_required(method: Method, era: Era) -> bool {
    use Method as M;
    match era {
        Era::Legacy => matches!(
            method,
            M::CompletionComplete
                | M::ElicitationCreate
                | M::Initialize
                | M::LoggingSetLevel
                | M::NotificationsCancelled
                | M::NotificationsElicitationComplete
                | M::NotificationsMessage
                | M::NotificationsProgress
                | M::NotificationsResourcesUpdated
                | M::NotificationsTasksStatus
                | M::PromptsGet
                | M::ResourcesRead
                | M::ResourcesSubscribe
                | M::ResourcesUnsubscribe
                | M::SamplingCreateMessage
                | M::TasksCancel
                | M::TasksGet
                | M::TasksResult
                | M::ToolsCall
        ),
        // Every 2026 request carries `params._meta`; of the notifications, these.
        Era::Modern => {
            !method.is_notification()
                || matches!(
                    method,
                    M::NotificationsCancelled
                        | M::NotificationsMessage
                        | M::NotificationsProgress
                        | M::NotificationsResourcesUpdated
                        | M::NotificationsSubscriptionsAcknowledged
                        | M::NotificationsTasks
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_and_added_methods() {
        let c2s = Direction::ClientToServer;
        let req = MessageKind::Request;
        for removed in [
            "ping",
            "logging/setLevel",
            "resources/subscribe",
            "initialize",
        ] {
            assert!(method_allowed(removed, req, c2s, Era::Legacy, false));
            assert!(!method_allowed(removed, req, c2s, Era::Modern, false));
        }
        for added in ["server/discover", "subscriptions/listen"] {
            assert!(!method_allowed(added, req, c2s, Era::Legacy, false));
            assert!(method_allowed(added, req, c2s, Era::Modern, false));
        }
        assert!(!method_allowed("tasks/get", req, c2s, Era::Modern, false));
        assert!(method_allowed("tasks/get", req, c2s, Era::Modern, true));
        assert!(method_allowed("tasks/get", req, c2s, Era::Legacy, false));
        let s2c = Direction::ServerToClient;
        assert!(method_allowed(
            "elicitation/create",
            req,
            s2c,
            Era::Legacy,
            false
        ));
        assert!(!method_allowed(
            "elicitation/create",
            req,
            s2c,
            Era::Modern,
            false
        ));
        assert!(!method_allowed(
            "tools/list",
            MessageKind::Notification,
            c2s,
            Era::Legacy,
            false
        ));
        assert!(!method_allowed(
            "tools/delete",
            req,
            c2s,
            Era::Legacy,
            false
        ));
    }
}
