#include "cli/Noun.h"

// The one list of breeze-admin's nouns: a new noun is a new file under cli/ and one name here.
#define BREEZE_ADMIN_NOUNS(X)                                                                                \
    X(kLoginNoun)                                                                                            \
    X(kLogoutNoun)                                                                                           \
    X(kTokenNoun)                                                                                            \
    X(kWhoamiNoun)                                                                                           \
    X(kOrgsNoun)                                                                                             \
    X(kSitesNoun)                                                                                            \
    X(kGroupsNoun)                                                                                           \
    X(kUsersNoun)                                                                                            \
    X(kRolesNoun)                                                                                            \
    X(kApiKeysNoun)                                                                                          \
    X(kEnrollmentKeysNoun)                                                                                   \
    X(kDevicesNoun)                                                                                          \
    X(kCommandsNoun)                                                                                         \
    X(kScriptsNoun)                                                                                          \
    X(kPatchesNoun)                                                                                          \
    X(kShellNoun)                                                                                            \
    X(kFilesNoun)                                                                                            \
    X(kSessionsNoun)                                                                                         \
    X(kAlertsNoun)                                                                                           \
    X(kAlertRulesNoun)                                                                                       \
    X(kNotificationsNoun)                                                                                    \
    X(kMaintenanceNoun)                                                                                      \
    X(kAuditNoun)

namespace breeze::admin {

#define BREEZE_DECLARE_NOUN(name) extern const Noun name;
BREEZE_ADMIN_NOUNS(BREEZE_DECLARE_NOUN)
#undef BREEZE_DECLARE_NOUN

namespace {
#define BREEZE_LIST_NOUN(name) &(name),
const Noun* const kNouns[] = {BREEZE_ADMIN_NOUNS(BREEZE_LIST_NOUN)};
#undef BREEZE_LIST_NOUN
} // namespace

const Noun* const* nouns() {
    return kNouns;
}

int nounCount() {
    return static_cast<int>(sizeof kNouns / sizeof kNouns[0]);
}

} // namespace breeze::admin
