import { type RTCPeerConnectionConfig, RTCRtpCodecParameters } from "werift";

/**
 * max-bundle, as LiveKit's SFU runs: every section rides the first transport. werift's default
 * gives a transceiver added before the first answer (a track subscribed while the first offer is
 * out) a transport of its own; the answer never gives it ICE credentials and applying it fails
 * the whole PC ("subscriber peer connection failed", subscriber-link.media.test.ts).
 *
 * Opus is what LiveKit clients publish (PT 111). VP8 is offered too although the dev server
 * forwards audio only: after rtc-node's /rtc/v1 fallback its publisher PC carries a recvonly
 * video section, and werift throws "negotiate codecs failed" for a section with no common codec.
 */
export function peerConfig(iceIp: string | undefined): RTCPeerConnectionConfig {
  return {
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: "audio/opus",
          clockRate: 48000,
          channels: 2,
          payloadType: 111,
          parameters: "minptime=10;useinbandfec=1",
        }),
      ],
      video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000, payloadType: 96 })],
    },
    bundlePolicy: "max-bundle",
    iceUseIpv6: false,
    ...(iceIp ? { iceInterfaceAddresses: { udp4: iceIp } } : {}),
  };
}
