#include "ServerProcess.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "HttpExchange.hpp"

#ifndef PULSEMEET_BINARY
#error "PULSEMEET_BINARY must name the server binary"
#endif

namespace pulsemeet::testing {
namespace {

std::vector<std::string> environmentFor(const ServerProcess::Settings& settings) {
    // A fixed, minimal environment: tests never depend on the developer's shell.
    ServerProcess::Settings merged = {{"HOST", "127.0.0.1"},
                                      {"PORT", "0"},
                                      {"STUN_URLS", ""},
                                      {"LOG_LEVEL", "debug"},
                                      {"THREADS", "2"},
                                      {"STATIC_DIR", "/nonexistent"},
                                      // Tests run side by side: never the fixed media port.
                                      {"MEDIA_PORT", "0"}};
    for (const auto& [key, value] : settings) merged[key] = value;
    std::vector<std::string> env;
    for (const auto& [key, value] : merged) env.push_back(key + "=" + value);
    return env;
}

int spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int outFd) {
    std::vector<char*> argv;
    std::vector<std::string> fullArgs{PULSEMEET_BINARY};
    fullArgs.insert(fullArgs.end(), args.begin(), args.end());
    for (auto& a : fullArgs) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envCopy = env;
    std::vector<char*> envp;
    for (auto& e : envCopy) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, outFd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, outFd, STDERR_FILENO);
    pid_t pid = -1;
    const int rc =
        posix_spawn(&pid, fullArgs[0].c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
    return pid;
}

}  // namespace

ServerProcess::ServerProcess(Settings settings, std::vector<std::string> args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    args.insert(args.begin(), {"--env-file", "/dev/null"});
    pid_ = spawn(args, environmentFor(settings), fds[1]);
    close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] { readOutput(fd); });
    if (!waitForLine("\"msg\":\"listening\"", std::chrono::seconds(15))) {
        throw std::runtime_error("server did not start listening");
    }
    for (const auto& line : lines()) {
        const auto at = line.find("\"port\":");
        if (line.find("\"msg\":\"listening\"") != std::string::npos && at != std::string::npos) {
            port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 7)));
        }
    }
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        if (waitForExit(std::chrono::seconds(5)) == -1 && pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitForExit(std::chrono::seconds(5));
        }
    }
    if (reader_.joinable()) reader_.join();
    // Under the sanitizer presets a report in the server fails the test that ran it.
    for (const auto& line : lines_) {
        if (line.find("WARNING: ThreadSanitizer") != std::string::npos ||
            line.find("ERROR: AddressSanitizer") != std::string::npos) {
            ADD_FAILURE() << "sanitizer report from the server: " << line;
        }
    }
}

void ServerProcess::readOutput(int fd) {
    std::string pending;
    char buffer[4096];
    while (true) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            std::lock_guard lock(mutex_);
            lines_.push_back(pending.substr(0, newline));
            pending.erase(0, newline + 1);
            changed_.notify_all();
        }
    }
    ::close(fd);
}

bool ServerProcess::waitForLine(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        for (const auto& line : lines_) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    });
}

std::vector<std::string> ServerProcess::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void ServerProcess::signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
}

int ServerProcess::waitForExit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exitStatus_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            pid_ = -1;
            exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exitStatus_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

RunResult runToCompletion(const ServerProcess::Settings& settings, std::vector<std::string> args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    // A subcommand (`token`) stays first; the options follow it.
    const bool subcommand = !args.empty() && !args.front().starts_with("-");
    args.insert(args.begin() + (subcommand ? 1 : 0), {"--env-file", "/dev/null"});
    const int pid = spawn(args, environmentFor(settings), fds[1]);
    close(fds[1]);
    std::string output;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0)
        output.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

HttpResult httpGet(std::uint16_t port, const std::string& target,
                   const std::map<std::string, std::string>& headers) {
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    return exchangeGet(stream, port, target, headers);
}

double metricValue(std::uint16_t port, const std::string& series) {
    const auto body = httpGet(port, "/metrics").body;
    const auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace pulsemeet::testing
