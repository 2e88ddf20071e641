import Foundation
import STBP

/// What an example trains: the paper's network and hyper-parameters for one data set, and how
/// to make a small synthetic copy of that data set in its real file format.
package struct Recipe {
    /// The example's name, used for the default run folder.
    package var name: String
    /// The data set the network is trained on.
    package var dataset: DatasetKind
    /// The default data folder.
    package var defaultData: String
    /// The paper's settings; command-line flags override some of them.
    package var configuration: TrainingConfiguration
    /// How the data is read (binning, augmentation).
    package var datasetOptions: DatasetOptions
    /// Writes a synthetic data set in the real format into a folder, for the smoke mode.
    package var writeSyntheticData: (URL) throws -> Void
    /// Composes the network in Swift for the final configuration (nil: the configuration's spec).
    package var makeNetwork: ((TrainingConfiguration) throws -> Network)?
    /// A loss of the example's own (nil: the configuration's).
    package var loss: Loss?

    /// A recipe; the network comes from the configuration's spec and the loss from the
    /// configuration unless `makeNetwork` and `loss` are given.
    package init(
        name: String, dataset: DatasetKind, defaultData: String, configuration: TrainingConfiguration,
        datasetOptions: DatasetOptions = DatasetOptions(), writeSyntheticData: @escaping (URL) throws -> Void,
        makeNetwork: ((TrainingConfiguration) throws -> Network)? = nil, loss: Loss? = nil
    ) {
        self.name = name
        self.dataset = dataset
        self.defaultData = defaultData
        self.configuration = configuration
        self.datasetOptions = datasetOptions
        self.writeSyntheticData = writeSyntheticData
        self.makeNetwork = makeNetwork
        self.loss = loss
    }
}
