// Page script (addInitScript): records when each RTCPeerConnection was made and when it first
// reached `connected`, in window.__pcTiming, to measure how long connecting takes.
export function pcTiming(): void {
  const Native = window.RTCPeerConnection;
  const records: Array<{ created: number; connected: number | null }> = [];
  (window as unknown as { __pcTiming: typeof records }).__pcTiming = records;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      const record = { created: performance.now(), connected: null as number | null };
      records.push(record);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && record.connected === null) record.connected = performance.now();
      });
    }
  } as typeof RTCPeerConnection;
}
