#include "app/RouteTable.h"

#include "alerts/AlertRoutes.h"
#include "alerts/AlertRuleRoutes.h"
#include "alerts/ChannelRoutes.h"
#include "alerts/MaintenanceRoutes.h"
#include "alerts/SmtpRoutes.h"
#include "audit/AuditRoutes.h"
#include "auth/AuthRoutes.h"
#include "commands/CommandRoutes.h"
#include "devices/DeviceDataRoutes.h"
#include "devices/DeviceRoutes.h"
#include "downloads/DownloadRoutes.h"
#include "filters/SavedFilterRoutes.h"
#include "keys/KeyRoutes.h"
#include "ops/OperationsRoutes.h"
#include "patches/PatchPolicyRoutes.h"
#include "patches/PatchRoutes.h"
#include "pushes/FilePushRoutes.h"
#include "schedules/ScheduleRoutes.h"
#include "scripts/ScriptRoutes.h"
#include "scripts/ScriptRunRoutes.h"
#include "sessions/SessionRoutes.h"
#include "tenancy/TenancyRoutes.h"
#include "users/UserRoutes.h"

namespace breeze::server {

void registerAllRoutes(Router& router) {
    registerOperationsRoutes(router);
    registerAuthRoutes(router);
    registerTenancyRoutes(router);
    registerUserRoutes(router);
    registerKeyRoutes(router);
    registerAuditRoutes(router);
    registerDeviceRoutes(router);
    registerDeviceDataRoutes(router);
    registerCommandRoutes(router);
    registerScriptRoutes(router);
    registerScriptRunRoutes(router);
    registerScheduleRoutes(router);
    registerPatchRoutes(router);
    registerPatchPolicyRoutes(router);
    registerDownloadRoutes(router);
    registerSavedFilterRoutes(router);
    registerSessionRoutes(router);
    registerFilePushRoutes(router);
    registerAlertRuleRoutes(router);
    registerAlertRoutes(router);
    registerChannelRoutes(router);
    registerSmtpRoutes(router);
    registerMaintenanceRoutes(router);
}

} // namespace breeze::server
