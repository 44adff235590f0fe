#include "DeviceInventory.h"

namespace breeze::console {

DeviceInventory DeviceInventory::fromSections(const QJsonObject& sections) {
    const auto data = [&](const char* section) { return sections.value(section).toObject().value("data"); };
    DeviceInventory inventory;
    inventory.kernel = data("os").toObject().value("kernel").toString();
    const QJsonObject hw = data("hardware").toObject();
    const QJsonValue memory = hw.value("memory_bytes");
    inventory.hardware = {hw.value("cpu_model").toString(),
                          hw.value("cpu_cores").toInt(),
                          hw.value("cpu_threads").toInt(),
                          memory.isDouble() ? std::optional(static_cast<qint64>(memory.toDouble()))
                                            : std::nullopt,
                          hw.value("vendor").toString(),
                          hw.value("model").toString(),
                          hw.value("serial").toString(),
                          (hw.value("bios_vendor").toString() + " " + hw.value("bios_version").toString() +
                           " " + hw.value("bios_date").toString())
                              .trimmed()};
    inventory.disks = data("disks").toArray();
    inventory.filesystems = data("filesystems").toArray();
    inventory.interfaces = data("interfaces").toArray();
    inventory.software = data("software").toArray();
    inventory.services = data("services").toArray();
    // Older agents wrote "unknown" where newer ones leave the state out: both mean nobody could ask systemd.
    inventory.serviceStatesKnown = inventory.services.isEmpty();
    for (const auto& service : inventory.services) {
        const QString state = service.toObject().value("state").toString();
        inventory.serviceStatesKnown =
            inventory.serviceStatesKnown || (!state.isEmpty() && state != "unknown");
    }
    inventory.users = data("users").toArray();
    return inventory;
}

} // namespace breeze::console
