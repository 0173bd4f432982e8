/** Listen stage: `npm run listen` receives a destination's deliveries over a WebSocket, through a ListenHub per destination. */
export { ListenHub, MAX_LISTENERS, type ListenRequest } from "./hub";
export { attemptOf, deliveryFrame, parseAck, ACK_SNIPPET_CHARS, MAX_ACK_CHARS, MAX_LISTEN_BODY_BYTES, PING, PONG, type Ack, type DeliveryFrame, type ListenAnswer } from "./protocol";
export { hubOf, openListener, sendToListener, type ListenEnv } from "./send";
