/** Test helpers of identity: the acceptance suite every KeyValueStore passes. Tests only. */
export {
  runKeyValueStoreContract,
  type KeyValueStoreContractHarness,
  type KeyValueStoreTraits,
  type KeyValueStoreUnderTest,
} from './kv-store-contract';
