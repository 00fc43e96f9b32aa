#include "RedisServer.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pulsemeet::testing {
namespace {

// Binds port 0 to learn a free port, then lets it go for redis-server to take.
std::uint16_t freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

RedisServer::RedisServer() : port_(freePort()) {
    start();
}

RedisServer::~RedisServer() {
    kill();
}

void RedisServer::start() {
    std::vector<std::string> args{
        "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no",     "--loglevel",          "warning"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, "redis-server", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("redis-server: ") + std::strerror(rc));
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            const auto reply = command({"PING"});
            if (reply->type == REDIS_REPLY_STATUS) return;
        } catch (const cluster::ConnectionLost&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("redis-server did not answer PING");
}

void RedisServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void RedisServer::signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
}

cluster::ReplyPtr RedisServer::command(const std::vector<std::string>& args) const {
    cluster::RedisEndpoint endpoint;
    endpoint.port = port_;
    const auto context = cluster::connectRedis(endpoint);
    return cluster::command(*context, args);
}

long long RedisServer::subscribers(const std::string& channel) const {
    const auto reply = command({"PUBSUB", "NUMSUB", channel});
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return -1;
    return reply->element[1]->integer;
}

}  // namespace pulsemeet::testing
