#include "sessions/DesktopSession.h"

#include "desktop/ClipboardBridge.h"
#include "desktop/DesktopStream.h"
#include "desktop/DisplayLocator.h"
#include "desktop/LayoutWatcher.h"
#include "desktop/MonitorLayout.h"
#include "desktop/RunWithin.h"
#include "desktop/X11Connection.h"
#include "desktop/X11Input.h"
#include "protocol/DesktopInput.h"
#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"

#include <algorithm>
#include <iostream>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
const std::uint64_t kWindow = protocol::initialWindow(protocol::SessionKind::Desktop);
constexpr std::size_t kMostWaitingControls = 64;

void log(const std::string& line) {
    std::cerr << "breeze-agent: " << line << std::endl;
}
// A recording is cut into segments at keyframes: a crash of the server loses at most the segment it was
// writing, and a player seeks to the keyframe before the time it is asked for.
constexpr auto kRecordedKeyframeSpacing = std::chrono::seconds(5);
} // namespace

DesktopSession::DesktopSession(const protocol::SessionOpen& open, const DesktopPolicy& policy)
    : m_id(open.sessionId), m_viewOnly(open.desktop.viewOnly), m_recorded(open.desktop.record),
      m_target(DisplayLocator::locate(policy)), m_credit(kWindow),
      m_keepDetachedSeconds(open.keepDetachedSeconds), m_idleTimeoutSeconds(open.idleTimeoutSeconds),
      m_detachedAt(Clock::now()), m_lastActivity(Clock::now()) {
    m_connection = std::make_unique<X11Connection>(m_target);
    m_input = std::make_unique<X11Input>(*m_connection);
    m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_wake < 0)
        throw std::runtime_error("cannot create the desktop session's wake-up descriptor");
    if (!m_viewOnly)
        m_clipboard = std::make_unique<ClipboardBridge>(m_target, wakeUp());
    m_layoutWatcher = std::make_unique<LayoutWatcher>(m_target, MonitorLayout::read(*m_connection), wakeUp());
    log("desktop session " + m_id + " shows display " + m_target.display +
        (m_target.user.empty() ? std::string() : " of " + m_target.user) +
        (m_viewOnly ? " (view only)" : "") + (m_recorded ? ", recorded by the server" : ""));
}

std::unique_ptr<DesktopSession> DesktopSession::openWithin(const protocol::SessionOpen& open,
                                                           const DesktopPolicy& policy,
                                                           std::chrono::milliseconds timeout) {
    return runWithin(timeout, "the display",
                     [open, policy] { return std::make_unique<DesktopSession>(open, policy); });
}

DesktopSession::~DesktopSession() {
    m_streams.clear(); // workers stop before the descriptor they wake goes
    m_layoutWatcher.reset();
    m_clipboard.reset();
    m_input.reset();
    m_connection.reset();
    if (m_wake >= 0)
        ::close(m_wake);
}

std::function<void()> DesktopSession::wakeUp() const {
    return [wake = m_wake] {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(wake, &one, sizeof one);
    };
}

protocol::DesktopLayout DesktopSession::layout() const {
    protocol::DesktopLayout layout;
    layout.monitors = MonitorLayout::read(*m_connection);
    layout.codecs = {"vp8", "h264"};
    layout.viewOnly = m_viewOnly;
    return layout;
}

void DesktopSession::attach(std::uint32_t channel, bool resumed) {
    m_channel = channel;
    m_credit.reset();
    m_cursorSent.reset();
    m_cursorShape.reset();
    auto current = layout();
    current.resumed = resumed;
    m_credit.queueControl(current.encode());
    m_lastActivity = Clock::now();
}

void DesktopSession::detach() {
    m_channel = 0;
    m_streams.clear();
    m_requests.clear();
    m_credit.clearControls();
    if (m_input)
        m_input->releaseAll();
    m_detachedAt = Clock::now();
}

short DesktopSession::pollEvents() const {
    return m_wake >= 0 ? POLLIN : 0;
}

void DesktopSession::ready(short revents) {
    if ((revents & POLLIN) == 0)
        return;
    std::uint64_t count = 0;
    [[maybe_unused]] const auto read = ::read(m_wake, &count, sizeof count);
}

bool DesktopSession::finished() const {
    return m_connection->lost();
}

void DesktopSession::frame(const protocol::StreamFrame& frame) {
    using protocol::StreamKind;
    if (frame.kind == StreamKind::Window) {
        m_credit.granted(frame.payload);
        return;
    }
    m_credit.consumed(frame.payload.size() + protocol::kFrameCost);
    m_lastActivity = Clock::now();
    if (frame.kind == StreamKind::DesktopInput) {
        if (const auto event = protocol::decodeDesktopInput(frame.payload))
            input(*event.input);
        return;
    }
    if (frame.kind != StreamKind::SessionControl)
        return;
    try {
        control(protocol::decodeSessionControl(frame.payload));
    } catch (const protocol::MessageError& error) {
        log("desktop session " + m_id + ": a control message was refused: " + error.what());
    }
}

void DesktopSession::queueControl(std::string control) {
    // A console that takes nothing (no credit back) while asking for more does not grow a queue here.
    if (m_credit.controlsWaiting() < kMostWaitingControls)
        m_credit.queueControl(std::move(control));
}

void DesktopSession::startStream(const protocol::DesktopStreamRequest& request) {
    m_streams.erase(request.stream); // a change of monitor, codec or quality is a new stream
    protocol::DesktopStreamState refused;
    refused.stream = request.stream;
    const auto monitors = MonitorLayout::read(*m_connection);
    // A stream per monitor and one of them all is what any viewer needs; each costs a thread and a screen's
    // worth of memory, so no more.
    if (m_streams.size() >= std::min<std::size_t>(protocol::kMaxDesktopStreams, monitors.size() + 1)) {
        refused.error = "this desktop has " + std::to_string(monitors.size()) + " monitors: at most " +
                        std::to_string(monitors.size() + 1) + " streams";
        queueControl(refused.encode());
        return;
    }
    const auto area = MonitorLayout::find(*m_connection, monitors, request.monitor);
    if (!area) {
        refused.error = "there is no monitor " + request.monitor + " on this display";
        queueControl(refused.encode());
        return;
    }
    DesktopStream::Request settings;
    settings.stream = request.stream;
    settings.area = *area;
    settings.codec = *protocol::desktopCodecNamed(request.codec);
    settings.quality = request.quality;
    settings.maxFps = request.maxFps;
    if (m_recorded)
        settings.keyframeEvery = kRecordedKeyframeSpacing;
    m_streams[request.stream] = std::make_unique<DesktopStream>(m_target, settings, wakeUp());
    m_requests[request.stream] = request;
}

void DesktopSession::layoutChanged(const std::vector<protocol::DesktopMonitor>& monitors) {
    protocol::DesktopLayout next;
    next.monitors = monitors;
    next.codecs = {"vp8", "h264"};
    next.viewOnly = m_viewOnly;
    queueControl(next.encode());
    // Each stream follows its monitor: where it moved or changed size, the stream starts again with its
    // new area (its viewer gets the new stream_state and a keyframe); where it went, the stream ends, saying
    // so.
    for (auto it = m_requests.begin(); it != m_requests.end();) {
        const auto stream = m_streams.find(it->first);
        if (stream == m_streams.end()) {
            it = m_requests.erase(it);
            continue;
        }
        const auto area = MonitorLayout::find(*m_connection, monitors, it->second.monitor);
        if (!area) {
            protocol::DesktopStreamState gone;
            gone.stream = it->first;
            gone.error = "the monitor " + it->second.monitor + " is gone from this display";
            queueControl(gone.encode());
            m_streams.erase(stream);
            it = m_requests.erase(it);
            continue;
        }
        if (*area != stream->second->request().area) {
            const auto request = it->second;
            startStream(request);
        }
        ++it;
    }
}

void DesktopSession::control(const nlohmann::json& message) {
    const auto streamOf = [this](int index) -> DesktopStream* {
        const auto it = m_streams.find(index);
        return it == m_streams.end() ? nullptr : it->second.get();
    };
    if (const auto request = protocol::DesktopStreamRequest::from(message)) {
        startStream(*request);
    } else if (const auto stop = protocol::DesktopStreamStop::from(message)) {
        m_streams.erase(stop->stream);
        m_requests.erase(stop->stream);
    } else if (const auto keyframe = protocol::DesktopKeyframeRequest::from(message)) {
        if (auto* stream = streamOf(keyframe->stream))
            stream->keyframeWanted();
    } else if (const auto ack = protocol::DesktopAck::from(message)) {
        if (auto* stream = streamOf(ack->stream))
            stream->acknowledged(*ack);
    } else if (auto clipboard = protocol::DesktopClipboard::from(message)) {
        if (m_clipboard)
            m_clipboard->offer(std::move(clipboard->text));
    }
}

void DesktopSession::input(const protocol::DesktopInput& event) {
    using Type = protocol::DesktopInput::Type;
    if (m_viewOnly || !m_input)
        return;
    switch (event.type) {
    case Type::Pointer: {
        const auto it = m_streams.find(event.stream);
        if (it == m_streams.end())
            return; // a position on a picture that is no longer shown
        const auto& area = it->second->request().area;
        m_input->pointer(area.x + std::min(event.x, area.width - 1),
                         area.y + std::min(event.y, area.height - 1), event.buttons);
        break;
    }
    case Type::Wheel:
        m_input->wheel(event.wheelX, event.wheelY);
        break;
    case Type::Key:
        m_input->key(event.keysym, event.down);
        break;
    case Type::ReleaseAll:
        m_input->releaseAll();
        break;
    }
}

void DesktopSession::drain(std::vector<std::string>& frames) {
    if (m_channel == 0)
        return;
    if (auto changed = m_layoutWatcher->takeChange())
        layoutChanged(*changed);
    for (auto it = m_streams.begin(); it != m_streams.end();) {
        // Whether it ended is read first: an ended stream has already left its last word (why) to take.
        const bool ended = it->second->ended();
        for (auto& control : it->second->takeControls())
            queueControl(std::move(control));
        if (const auto position = it->second->takeCursorPosition(); position && position != m_cursorSent) {
            m_cursorSent = position;
            queueControl(protocol::DesktopCursor{position->first, position->second, true}.encode());
        }
        if (auto shape = it->second->takeCursorShape())
            m_cursorShape = std::move(shape);
        it = ended ? m_streams.erase(it) : std::next(it);
    }
    if (m_clipboard)
        if (auto text = m_clipboard->take()) {
            // Escaping can make the message larger than the text: what does not fit is not sent.
            auto control = protocol::DesktopClipboard{std::move(*text)}.encode();
            if (control.size() <= protocol::kMaxSessionControlBytes)
                queueControl(std::move(control));
        }
    m_credit.drainControls(m_channel, frames);
    if (m_credit.controlsPending())
        return;
    if (m_cursorShape && m_credit.spend(m_cursorShape->size() + protocol::kFrameCost))
        frames.push_back(protocol::encodeStreamFrame(protocol::StreamKind::DesktopVideo, m_channel,
                                                     *std::exchange(m_cursorShape, std::nullopt)));
    for (auto& [index, stream] : m_streams) {
        if (auto picture = stream->takePicture(m_credit.available())) {
            m_credit.spend(picture->payload.size() + protocol::kFrameCost);
            frames.push_back(
                protocol::encodeStreamFrame(protocol::StreamKind::DesktopVideo, m_channel, picture->payload));
        }
    }
}

} // namespace breeze::agent
