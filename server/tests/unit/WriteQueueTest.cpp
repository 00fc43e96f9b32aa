#include <gtest/gtest.h>

#include "ws/WriteQueue.hpp"

using pulsemeet::wire::share;
using pulsemeet::ws::WriteQueue;

TEST(WriteQueue, FirstInFirstOutAcrossDrainsAndRefills) {
    WriteQueue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.size(), 0u);
    for (int round = 0; round < 3; ++round) {
        queue.push_back(share("a"));
        queue.push_back(share("b"));
        queue.push_back(share("c"));
        EXPECT_EQ(queue.size(), 3u);
        EXPECT_EQ(*queue.back(), "c");
        EXPECT_EQ(*queue.front(), "a");
        queue.pop_front();
        EXPECT_EQ(*queue.front(), "b");
        queue.pop_front();
        queue.pop_front();
        EXPECT_TRUE(queue.empty()) << "drained in round " << round;
    }
}

TEST(WriteQueue, DroppingFromTheBackKeepsTheFrameBeingWritten) {
    WriteQueue queue;
    queue.push_back(share("writing"));
    queue.push_back(share("x"));
    queue.push_back(share("y"));
    while (queue.size() > 1) queue.pop_back();
    EXPECT_EQ(*queue.front(), "writing");
    queue.pop_back();
    EXPECT_TRUE(queue.empty());
    queue.push_back(share("again"));
    EXPECT_EQ(*queue.front(), "again");
    queue.clear();
    EXPECT_TRUE(queue.empty());
}

TEST(WriteQueue, KeepsOrderWhileABacklogFormsAndDrainsUnderAFrameBeingWritten) {
    WriteQueue queue;
    queue.push_back(share("1"));
    queue.pop_front();
    EXPECT_TRUE(queue.empty());
    queue.push_back(share("2"));
    EXPECT_EQ(*queue.back(), "2") << "one frame is both the oldest and the newest";
    queue.push_back(share("3"));
    queue.pop_front();
    queue.push_back(share("4"));
    queue.push_back(share("5"));
    std::string order;
    while (!queue.empty()) {
        order += *queue.front();
        queue.pop_front();
    }
    EXPECT_EQ(order, "345");
    EXPECT_EQ(queue.size(), 0u);
}
