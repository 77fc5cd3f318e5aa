/**
 * The API calls the console offers, by their SAM names (`Tag:operationId`). A SAM user is offered
 * only those the platform says it may make (`GET /_cellgate/me`), so nothing on screen is bound to
 * be refused; the root user may make all of them.
 */
export const OFFERED = {
  listSims: 'Subscriber:listSubscribers',
  activate: 'Subscriber:activateSubscriber',
  deactivate: 'Subscriber:deactivateSubscriber',
  standby: 'Subscriber:setSubscriberToStandby',
  suspend: 'Subscriber:suspendSubscriber',
  terminate: 'Subscriber:terminateSubscriber',
  enableTermination: 'Subscriber:enableTermination',
  disableTermination: 'Subscriber:disableTermination',
  deleteSession: 'Subscriber:deleteSubscriberSession',
  speedClass: 'Subscriber:updateSpeedClass',
  setGroup: 'Subscriber:setGroup',
  unsetGroup: 'Subscriber:unsetGroup',
  setExpiry: 'Subscriber:setExpiryTime',
  unsetExpiry: 'Subscriber:unsetExpiryTime',
  putTags: 'Subscriber:putSubscriberTags',
  deleteTag: 'Subscriber:deleteSubscriberTag',
  listDevices: 'Device:listCellgateDevices',
  sendCommand: 'Device:sendCellgateDeviceCommand',
  listOrders: 'SimProfileOrder:listProfileOrders',
  createOrder: 'SimProfileOrder:createProfileOrder',
  confirmOrder: 'SimProfileOrder:confirmProfileOrder',
  cancelOrder: 'SimProfileOrder:deleteProfileOrder',
  profilesCsv: 'Cellgate:exportCellgateOrderedProfilesCsv',
  deletedProfiles: 'Cellgate:listCellgateDeletedEsimProfiles',
  issueToken: 'Subscriber:issueSubscriberTransferToken',
  cancelToken: 'Subscriber:deleteSubscriberTransferToken',
  acceptToken: 'Subscriber:verifySubscriberTransferToken',
  outbox: 'Cellgate:listCellgateOutbox',
  listSupport: 'Cellgate:listCellgateSupportTransfers',
  requestSupport: 'Cellgate:requestCellgateSupportTransfer',
  reviewSupport: 'Cellgate:reviewCellgateSupportTransfer',
  replySupport: 'Cellgate:replyCellgateSupportTransfer',
} as const;

export type Offered = keyof typeof OFFERED;
